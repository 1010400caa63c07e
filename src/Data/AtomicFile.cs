namespace Hebb.Data;

/// <summary>Writes a file whole or not at all: into a temporary file beside it (.NAME.PID.tmp), then renamed over it.</summary>
public static class AtomicFile
{
    /// <summary>Removes the temporary files in <paramref name="dir"/> that processes no longer running left (killed
    /// while writing), so that none outlives its run.</summary>
    public static void RemoveStale(string dir)
    {
        foreach (var f in Directory.EnumerateFiles(dir, ".*.tmp"))
        {
            var parts = Path.GetFileName(f).Split('.');
            if (parts.Length >= 4 && int.TryParse(parts[^2], out int pid) && !Alive(pid)) File.Delete(f);
        }
    }

    static bool Alive(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try { using var p = System.Diagnostics.Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    public static void Write(string path, Action<Stream> write)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        string tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write))
                write(fs);
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }
}

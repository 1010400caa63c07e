using System.Security.Cryptography;
using System.Text;

namespace Hebb.Accelerated.Backends.Cuda;

/// <summary>
/// NVRTC's PTX for the kernel source, kept on disk per source hash and device architecture, so that only a run's
/// first start on a machine pays for the compilation. A file is written whole or not at all (into a temporary
/// file beside it, then renamed over it), and a cached file that is not a whole PTX text (NVRTC's PTX ends with
/// its terminating zero) is compiled again and replaced: a run cut off while it wrote, or two runs that compiled
/// at once, never leave a file that breaks the runs after them. A cache that cannot be written costs only the
/// compilation.
/// </summary>
public static class PtxCache
{
    /// <summary>$XDG_CACHE_HOME/hebb/cuda, or ~/.cache/hebb/cuda.</summary>
    public static string DefaultFolder() =>
        Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } x ? x
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "hebb", "cuda");

    /// <summary>The file that holds the PTX of <paramref name="source"/> for <paramref name="arch"/>.</summary>
    public static string FileFor(string folder, string source, string arch)
    {
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source + arch)))[..16];
        return Path.Combine(folder, $"{hash}-{arch}.ptx");
    }

    /// <summary>Whether <paramref name="ptx"/> can be a whole PTX text as NVRTC gives it: not empty, ending with its zero.</summary>
    public static bool IsWhole(ReadOnlySpan<byte> ptx) => ptx.Length > 1 && ptx[^1] == 0;

    /// <summary>
    /// The cached PTX, or <paramref name="compile"/>'s, then stored. With <paramref name="fresh"/> the cached file
    /// is not read (for a file the driver refused) and is replaced.
    /// </summary>
    public static byte[] Get(string folder, string source, string arch, Func<byte[]> compile, bool fresh = false)
    {
        string file = FileFor(folder, source, arch);
        if (!fresh)
        {
            try
            {
                var cached = File.ReadAllBytes(file);
                if (IsWhole(cached)) return cached;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        var ptx = compile();
        Store(file, ptx);
        return ptx;
    }

    static void Store(string file, byte[] ptx)
    {
        string tmp = $"{file}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllBytes(tmp, ptx);
            File.Move(tmp, file, overwrite: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        finally
        {
            try { if (File.Exists(tmp)) File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}

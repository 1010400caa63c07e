using Hebb.Data;

namespace Hebb.Runs;

/// <summary>
/// A run that never costs the earlier one: it writes into a folder beside its final folder (<c>OUT.partial</c>) and
/// takes the final folder's place only when it succeeds (<see cref="Commit"/>); until then an earlier run in OUT is
/// untouched, whether this one is refused, diverges, is stopped by Ctrl-C or killed. The partial folder keeps what the
/// unfinished run wrote (its options, its metrics, its last checkpoint), which <c>--resume</c> continues; a new run
/// without <c>--resume</c> starts it afresh.
/// </summary>
public sealed class StagedRun : IDisposable
{
    /// <summary>The folder the user named: where the finished run will be.</summary>
    public string Final { get; }
    /// <summary>Where this run writes until it finishes.</summary>
    public string Dir { get; }

    readonly bool _keepUnfinished;
    readonly string _firstMade;
    bool _committed;

    StagedRun(string final, string dir, bool keepUnfinished, string firstMade) => (Final, Dir, _keepUnfinished, _firstMade) = (final, dir, keepUnfinished, firstMade);

    /// <summary>The partial folder of <paramref name="final"/>.</summary>
    public static string PartialOf(string final) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(final)) + ".partial";

    /// <summary>Makes the partial folder ready, refusing (before any work) one that cannot be made or written, and a
    /// final path that is a file. With <paramref name="resume"/> it keeps what an unfinished run left there (the caller
    /// reads its checkpoint); otherwise it empties it. Temporary files that killed processes left are removed. With
    /// <paramref name="keepUnfinished"/> false (an evaluation, which does not resume), a run that does not finish
    /// removes its partial folder when disposed.</summary>
    public static StagedRun Start(string final, string what, bool resume = false, bool keepUnfinished = true)
    {
        if (File.Exists(final)) throw new UsageException($"{what} {final}: a file, not a folder");
        string dir = PartialOf(final);
        if (resume && !Directory.Exists(dir))
            throw new UsageException($"--resume: {final} has no unfinished run to resume ({dir} is missing: the run finished, or never started); run without --resume to start one");
        if (!resume && Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        string firstMade = dir;   // the outermost folder this run makes (the partial folder, or a missing parent of it)
        for (var d = Path.GetDirectoryName(dir); d is not null && !Directory.Exists(d) && !File.Exists(d); d = Path.GetDirectoryName(d)) firstMade = d;
        try { Args.OutputFolder(dir, what); }
        catch (UsageException ex) { throw new UsageException(ex.Message.Replace($"{what} {dir}:", $"{what} {final}:")); }
        AtomicFile.RemoveStale(dir);
        if (Directory.Exists(final)) AtomicFile.RemoveStale(final);
        return new StagedRun(final, dir, keepUnfinished, firstMade);
    }

    /// <summary>Writes <paramref name="checkpoint"/> into the partial folder and returns the exception that stops the
    /// run there (Ctrl-C, SIGTERM), <paramref name="where"/> saying where ("at epoch 3, step 40 of 600").</summary>
    public StoppedException Stop(Checkpoint checkpoint, string where)
    {
        checkpoint.Write(Dir);
        return Stopped(where);
    }

    /// <summary>The exception that stops the run after a checkpoint already written (at an epoch's or a layer's end).</summary>
    public StoppedException Stopped(string where) =>
        new($"stopped {where}; the checkpoint is in {Dir} (an earlier run in {Final} is untouched); continue with the same command and --resume");

    /// <summary>Whether an unfinished run of <paramref name="final"/> left a partial folder holding <paramref name="file"/>.</summary>
    public static bool CanResume(string final, string file) => File.Exists(Path.Combine(PartialOf(final), file));

    /// <summary>The finished run takes the final folder's place: an earlier run there (a folder with options.json) is
    /// replaced whole; a folder that holds no run keeps its other files, the run's files written over them.</summary>
    public void Commit()
    {
        _committed = true;
        if (!Directory.Exists(Final)) { Directory.Move(Dir, Final); return; }
        if (File.Exists(Path.Combine(Final, "options.json")))
        {
            string old = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Final)) + $".replaced.{Environment.ProcessId}";
            Directory.Move(Final, old);
            try { Directory.Move(Dir, Final); }
            catch { Directory.Move(old, Final); throw; }
            Directory.Delete(old, recursive: true);
            return;
        }
        foreach (var entry in Directory.EnumerateFileSystemEntries(Dir))
        {
            string target = Path.Combine(Final, Path.GetFileName(entry));
            if (Directory.Exists(entry))
            {
                if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
                Directory.Move(entry, target);
            }
            else File.Move(entry, target, overwrite: true);
        }
        Directory.Delete(Dir, recursive: true);
    }

    /// <summary>Removes the partial folder of a run that did not finish, unless it is kept for <c>--resume</c>.</summary>
    public void Dispose()
    {
        if (_committed || _keepUnfinished) return;
        if (Directory.Exists(Dir)) Directory.Delete(Dir, recursive: true);
        if (_firstMade != Dir && Directory.Exists(_firstMade) && !Directory.EnumerateFileSystemEntries(_firstMade, "*", SearchOption.AllDirectories).Any(File.Exists))
            Directory.Delete(_firstMade, recursive: true);
    }
}

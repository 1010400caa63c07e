namespace Hebb.Runs;

/// <summary>A training run's folder as the command line names it: --out (or a default), how messages name it, and
/// --resume, read and checked together before any work (--resume continues the run in --out's partial folder, so it
/// needs --out).</summary>
public sealed record RunTarget(string Final, string What, bool Resume)
{
    /// <summary>--out (or <paramref name="fallback"/>) and, for a command that resumes, --resume.</summary>
    public static RunTarget Of(Args a, string fallback, bool resumable = true)
    {
        string? given = a.Str("out");
        bool resume = resumable && a.Has("resume");
        if (resume && given is null) throw new UsageException("--resume: give the --out folder of the run to continue");
        return new(given ?? fallback, given is null ? "the run folder" : "--out", resume);
    }

    /// <summary>The staged run writing toward this folder (<see cref="StagedRun.Start"/>).</summary>
    public StagedRun Stage() => StagedRun.Start(Final, What, Resume);
}

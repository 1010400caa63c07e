using Hebb.Bench;

namespace Hebb.Cli;

/// <summary><c>hebb bench NAME</c>: the benchmark harness's bench of that name (bench/Harness, <see cref="IBench"/>).</summary>
static class BenchCommand
{
    /// <summary>Every bench's help, one after another.</summary>
    public static string Help => string.Join("\n\n", Benches.All.Select(b => b.Help));

    /// <summary>The benches' names, for the usage line.</summary>
    public static string Names => string.Join("|", Benches.All.Select(b => b.Name));

    public static int Run(Args a)
    {
        string? name = a.Positional.Count >= 2 ? a.Positional[1] : null;
        var bench = name is null ? null : Benches.Find(name);
        if (bench is null)
            throw new UsageException($"bench: the rule is missing or unknown; available: {string.Join(", ", Benches.All.Select(b => b.Name))} (hebb bench --help)");
        return bench.Run(a);
    }
}

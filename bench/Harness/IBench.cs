using Hebb.Runs;

namespace Hebb.Bench;

/// <summary>
/// One of <c>hebb bench</c>'s benchmarks: a rule's epoch (or a probe's) timed beside its bound, on the backend the
/// command line names, in one run. One class per benchmark (with a public parameterless constructor) in this assembly;
/// <see cref="Benches"/> finds it, so <c>hebb bench NAME</c> dispatches to it and no list is edited.
/// </summary>
public interface IBench
{
    /// <summary>The name on the command line: the rule's name, or the probe's.</summary>
    string Name { get; }

    /// <summary>The rule (<see cref="Hebb.Contracts.IRule.Name"/>) whose layer the bench times.</summary>
    string Rule { get; }

    /// <summary><c>hebb bench NAME --help</c>.</summary>
    string Help { get; }

    /// <summary>Reads the bench's options from <paramref name="a"/>, runs it, prints the table; the exit code.</summary>
    int Run(Args a);
}

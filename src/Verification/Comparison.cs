namespace Hebb.Verification;

/// <summary>The outcome of one equivalence case (or of one of its comparisons). A skipped case (<see cref="SkipReason"/>
/// set) neither passes nor fails: an engine does not implement its rule, and says why.</summary>
public sealed record Comparison(string Rule, string Case, double MaxAbs, double MaxRel, bool Pass, string Detail)
{
    /// <summary>Why the case did not run, or null when it ran.</summary>
    public string? SkipReason { get; init; }

    public static Comparison Skipped(string rule, string name, string reason) =>
        new(rule, name, double.NaN, double.NaN, true, "") { SkipReason = reason };

    public override string ToString() => SkipReason is not null
        ? $"{Rule} / {Case}: skipped ({SkipReason})"
        : $"{Rule} / {Case}: {(Pass ? "pass" : "FAIL")} (max abs {MaxAbs:g3}, max rel {MaxRel:g3}){(Detail.Length > 0 ? "\n" + Detail : "")}";
}

using Hebb.Data;

namespace Hebb.Checks;

/// <summary>
/// <c>hebb check compare</c>: holds an outside implementation's states after each step to every variant of the rule.
/// Each step is replayed from the implementation's own previous state (so float32 rounding does not compound over the
/// steps, and a departure is found at the step that makes it); a step that departs only by the other reading of a
/// near-tied ranking is reported as such and passes. Where no variant holds at every step, the rule's check explains the
/// first departure from the variant that held longest.
/// </summary>
public static class Judge
{
    public static CheckReport Run(IRuleCheck check, CheckCase c, IReadOnlyList<State> theirs, string caseDir, string theirsPath)
    {
        var tol = check.Tolerance(c);
        var lines = new List<string>
        {
            $"hebb check compare {c.Rule}: {theirsPath} against the case {caseDir} ({c.Count} steps)",
            $"tolerance: |yours - reference| <= {tol.Atol:g3} + {tol.Rtol:g3} |reference| per element ({tol.Reason}; the equivalence tests' own), " +
            "each step replayed by the reference from your state before it",
        };
        var results = new List<(CheckVariant Variant, int Departs, StateMatch? Worst, StateMatch? Departure, List<string> Ties)>();
        foreach (var v in check.Variants(c))
        {
            int departs = 0;
            StateMatch? worst = null, departure = null;
            var ties = new List<string>();
            for (int t = 0; t < c.Count && departs == 0; t++)
            {
                var before = t == 0 ? c.Initial : theirs[t - 1];
                var m = StateMatch.Of(v.Step(before, t), theirs[t], tol);
                if (m.Pass) { if (worst is null || m.MaxAbs > worst.MaxAbs) worst = m; continue; }
                if (check.NearTie(c, t, before, theirs[t], v) is { } tie) { ties.Add($"step {t + 1}: {tie}"); continue; }
                departs = t + 1;
                departure = m;
            }
            results.Add((v, departs, worst, departure, ties));
        }
        foreach (var (v, departs, worst, _, ties) in results)
        {
            lines.Add(departs == 0
                ? $"variant {v.Name} ({v.Description}): matches at all {c.Count} steps (largest |difference| {worst?.MaxAbs ?? 0:g3}{(worst is null ? "" : $" at {worst.Where}")}{(ties.Count > 0 ? $"; {ties.Count} near-tie(s) read the other way" : "")})"
                : $"variant {v.Name} ({v.Description}): departs at step {departs}");
        }
        var match = results.FirstOrDefault(r => r.Departs == 0);
        if (match.Variant is not null)
        {
            foreach (var tie in match.Ties) lines.Add($"near-tie, {tie}");
            if (match.Variant == results[0].Variant)
                lines.Add($"trajectory: your state after step {c.Count} is {Drift(c.Reference[^1], theirs[^1])} from the reference's own trajectory (what {c.Count} steps of rounding, and any near-tie read the other way, add up to; not judged)");
            lines.Add(match.Variant == results[0].Variant
                ? $"VERDICT: yours matches {match.Variant.Name} ({match.Variant.Description}), the case's variant, at every step."
                : $"VERDICT: yours matches {match.Variant.Name} ({match.Variant.Description}) at every step, not the case's variant {results[0].Variant.Name}.");
            return new(match.Variant.Name, results[0].Departs, lines);
        }
        var longest = results.OrderByDescending(r => r.Departs).First();
        int step = longest.Departs - 1;
        var before0 = step == 0 ? c.Initial : theirs[step - 1];
        var m0 = longest.Departure!;
        lines.Add($"VERDICT: yours departs from every variant; from {longest.Variant.Name} (which held longest) first at step {longest.Departs}.");
        foreach (var tie in longest.Ties) lines.Add($"near-tie, {tie}");
        lines.Add($"step {longest.Departs}: largest |difference| {m0.MaxAbs:g3} at {m0.Where}, {m0.Excess:g3} times the tolerance there");
        lines.AddRange(check.Diagnose(c, step, before0, theirs[step], longest.Variant));
        return new(null, results[0].Departs, lines);
    }

    static string Drift(State reference, State theirs)
    {
        double max = 0;
        foreach (var (name, r) in reference)
            for (int i = 0; i < r.Data.Length; i++) max = Math.Max(max, Math.Abs(r.Data[i] - theirs[name].Data[i]));
        return $"at most {max:g3}";
    }
}

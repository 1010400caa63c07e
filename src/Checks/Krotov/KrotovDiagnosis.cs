using Hebb.Data;
using Hebb.Runs;
using Hebb.Verification;

namespace Hebb.Checks;

/// <summary>
/// The diagnosis of a step of Krotov &amp; Hopfield's fast rule (and of NNL-CONV's, which is the same rule on patches): which
/// units differ and what role each had in the step (ranked first or k-th by which samples), which named departure
/// reproduces the implementation's step (its direction fitted with a free scale), what that scale means (the paper's
/// average, the authors' division by the largest element, a learning rate applied too early, another schedule), and
/// whether a near-tied ranking read the other way explains it.
/// </summary>
public static class KrotovDiagnosis
{
    /// <summary>The scale the variant applies to the update's direction: lr / B (paper) or lr / max(max |ds|, precision)
    /// (the authors' code).</summary>
    public static double Scale(string variant, double lr, int batch, double[,] ds, double precision) =>
        variant == "paper" ? lr / batch : lr / Math.Max(KrotovTerms.MaxAbs(ds), precision);

    /// <summary>The state W + scale ds.</summary>
    public static State Apply(State before, double[,] ds, double scale)
    {
        var w = before["weights"];
        var next = (double[])w.Data.Clone();
        int n = ds.GetLength(1);
        for (int i = 0; i < next.Length; i++) next[i] += scale * ds[i / n, i % n];
        return new Dictionary<string, NdArray> { ["weights"] = new NdArray(w.Shape, next) };
    }

    /// <summary>The step of a variant from the terms: W + Scale ds.</summary>
    public static State Step(KrotovTerms terms, State before, string variant, double lr, double precision, IReadOnlyCollection<(int, int)>? flips = null)
    {
        var ds = terms.Direction(KrotovMistake.None, flips);
        return Apply(before, ds, Scale(variant, lr, terms.Batch, ds, precision));
    }

    /// <summary>Whether reading near-tied rankings the other way (positions 1/2, k-1/k and k/k+1 of a sample whose currents
    /// there are within <paramref name="currents"/>' tolerance of each other) gives <paramref name="theirs"/>: the flips
    /// that do, as a sentence, or null.</summary>
    public static string? NearTie(KrotovTerms terms, State before, State theirs, string variant, double lr, double precision, int k,
                                  Tolerance tol, Tolerance currents, string unit)
    {
        var candidates = new List<(int Sample, int Position)>();
        for (int b = 0; b < terms.Batch; b++)
            foreach (int pos in new[] { 0, k - 2, k - 1 }.Where(p => p >= 0).Distinct())
            {
                if (pos + 1 >= terms.Units) continue;
                double x = terms.Currents[b][terms.Ranking[b][pos]], y = terms.Currents[b][terms.Ranking[b][pos + 1]];
                if (Math.Abs(x - y) <= currents.Atol + currents.Rtol * Math.Max(Math.Abs(x), Math.Abs(y))) candidates.Add((b, pos));
            }
        if (candidates.Count == 0) return null;
        var flips = new List<(int, int)>();
        double best = StateMatch.Distance(Step(terms, before, variant, lr, precision), theirs);
        foreach (var cand in candidates)
        {
            var trial = new List<(int, int)>(flips) { cand };
            double d = StateMatch.Distance(Step(terms, before, variant, lr, precision, trial), theirs);
            if (d < best) { best = d; flips = trial; }
        }
        if (flips.Count == 0 || !StateMatch.Of(Step(terms, before, variant, lr, precision, flips), theirs, tol).Pass) return null;
        return string.Join("; ", flips.Select(f =>
        {
            var (b, pos) = f;
            int u = terms.Ranking[b][pos], w = terms.Ranking[b][pos + 1];
            double x = terms.Currents[b][u], y = terms.Currents[b][w];
            return $"sample {b}'s {unit}s {u} and {w} (ranked {KrotovRecipe.Ordinal(pos + 1)} and {KrotovRecipe.Ordinal(pos + 2)} by the reference) have currents {x:g10} and {y:g10} " +
                   $"(a difference of {Math.Abs(x - y):g3}, within the float32 currents' tolerance {currents.Atol:g3} + {currents.Rtol:g3} |I|); yours ranked {w} before {u}";
        })) + ". A near-tie read the other way, not a bug.";
    }

    /// <summary>The diagnosis of a departing step, as lines: the units that differ and their roles, then the named departure
    /// (or the step size) that explains it, or that none of those tried does.</summary>
    public static IReadOnlyList<string> Explain(KrotovTerms terms, State before, State theirs, IReadOnlyList<KrotovHypothesis> hypotheses,
        string variant, double lr, int step, JsonSchedule schedule, double precision, int k, Tolerance tol, string unit)
    {
        var lines = new List<string>();
        var w0 = before["weights"];
        int n = w0.Shape[1];
        var expected = Step(terms, before, variant, lr, precision);
        var m = StateMatch.Of(expected, theirs, tol);
        var bad = m.BadRows.TryGetValue("weights", out var rows) ? rows : [];
        lines.Add($"{bad.Length} of {terms.Units} {unit}s differ beyond the tolerance: {StateMatch.List(bad)}");
        foreach (int u in bad.Take(8))
        {
            var first = Enumerable.Range(0, terms.Batch).Where(b => terms.Ranking[b][0] == u).ToList();
            var kth = Enumerable.Range(0, terms.Batch).Where(b => terms.Ranking[b].Length >= k && terms.Ranking[b][k - 1] == u).ToList();
            bool moved = Enumerable.Range(0, n).Any(i => theirs["weights"].Data[u * n + i] != w0.Data[u * n + i]);
            string role = first.Count + kth.Count == 0
                ? $"ranked neither first nor {KrotovRecipe.Ordinal(k)} by any sample: the rule leaves it as it is at this step{(moved ? ", yours moved it" : "")}"
                : string.Join("; ", new[] { first.Count > 0 ? $"ranked first by sample(s) {StateMatch.List(first)}" : null,
                                             kth.Count > 0 ? $"ranked {KrotovRecipe.Ordinal(k)} (pushed away) by sample(s) {StateMatch.List(kth)}" : null }.Where(s => s is not null))
                  + (moved ? "" : "; yours left it unchanged");
            lines.Add($"  {unit} {u}: {role}");
        }
        var delta = theirs["weights"].Data.Zip(w0.Data, (a, b) => a - b).ToArray();
        var explained = new List<string>();
        foreach (var h in hypotheses)
        {
            double dot = 0, norm = 0;
            for (int i = 0; i < delta.Length; i++) { double d = h.Direction[i / n, i % n]; dot += delta[i] * d; norm += d * d; }
            if (norm == 0) continue;
            double alpha = dot / norm;
            if (!StateMatch.Of(Apply(before, h.Direction, alpha), theirs, tol).Pass) continue;
            string size = StepSize(alpha, h.Direction, variant, lr, terms.Batch, step, schedule, precision);
            explained.Add(h.Name == "as written" ? $"explained: the update's direction is the rule's; its size is not. {size}" : $"explained: {h.Explanation} {size}");
        }
        if (explained.Count > 0) lines.AddRange(explained);
        else lines.Add($"not explained by any single departure tried ({string.Join("; ", hypotheses.Select(h => h.Name))}), with any step size: " +
                       "compare the units above term by term with eq. 2 and section 3's ranking");
        return lines;
    }

    /// <summary>What a fitted step size means: one of the conventions, or the learning rate it implies against the schedule's.</summary>
    static string StepSize(double alpha, double[,] ds, string variant, double lr, int batch, int step, JsonSchedule schedule, double precision)
    {
        double max = Math.Max(KrotovTerms.MaxAbs(ds), precision);
        var conventions = new (string Name, double Value)[]
        {
            ("lr/B: eq. 2 averaged over the minibatch, as the paper states it (variant paper)", lr / batch),
            ("lr/max|ds|: divided by the update's largest |element|, as the authors' code does (variant code)", lr / max),
            ("lr: summed over the minibatch, neither averaged nor divided by its largest |element|", lr),
            ("1/max|ds|: the learning rate applied before the division by the largest |element|, which cancels it", 1 / max),
            ("1/B: averaged over the minibatch without the learning rate", 1.0 / batch),
        };
        foreach (var (name, value) in conventions)
            if (Math.Abs(alpha - value) <= 1e-4 * Math.Abs(value))
                return $"Your step size is {alpha:g6} = {name}{(Math.Abs(alpha - Scale(variant, lr, batch, ds, precision)) <= 1e-4 * Math.Abs(alpha) ? "" : $"; variant {variant}'s is {Scale(variant, lr, batch, ds, precision):g6}")}.";
        double implied = variant == "paper" ? alpha * batch : alpha * max;
        return $"Your step size is {alpha:g6}; variant {variant}'s is {Scale(variant, lr, batch, ds, precision):g6}: in its convention a learning rate of {implied:g6} where the schedule says {lr:g6} at step {step + 1} ({schedule.Describe(implied, step)}).";
    }
}

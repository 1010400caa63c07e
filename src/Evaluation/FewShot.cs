using Hebb.Contracts;

namespace Hebb.Evaluation;

/// <summary>The few-shot probe (CSNN section IV-C): the linear probe on N examples per class, averaged over draws.</summary>
public static class FewShot
{
    public static readonly int[] DefaultShots = [1, 2, 5, 10, 20, 50];

    /// <summary>For each N: <paramref name="draws"/> seeded draws of N training examples per class, a linear probe
    /// trained on each (pocket rule on the split's validation set); the mean and standard deviation of test accuracy.
    /// The draws' probes train side by side, <paramref name="together"/> at a time, and at each evaluation point (every
    /// step: N examples a class are one minibatch) are scored in one pass over the validation half, their weights side
    /// by side in one linear classifier; the test half is scored only where some draw's validation accuracy rose (the
    /// pocket rule can choose no other point). The features are read once for all of them instead of once a draw,
    /// which was nearly all the time on CSNN's 12,288 features; the accuracies are each draw's alone (up to the
    /// rounding of a logit computed in a wider product).</summary>
    public static IReadOnlyList<(int Shots, double Mean, double Std, double[] Accuracies)> Run(
        IEngine engine, Split split, int classes, IReadOnlyList<int> shots, int draws, ProbeTraining t, Action<string>? log = null,
        int together = 10)
    {
        if (together < 1) throw new ArgumentOutOfRangeException(nameof(together), together, "together must be >= 1");
        var byClass = Enumerable.Range(0, classes).Select(c => Enumerable.Range(0, split.Train.Count).Where(i => split.Train.Y[i] == c).ToArray()).ToArray();
        var results = new List<(int, double, double, double[])>();
        foreach (int n in shots)
        {
            var acc = new double[draws];
            for (int first = 0; first < draws; first += together)
            {
                var group = new List<ProbeRun>();
                try
                {
                    for (int d = first; d < Math.Min(draws, first + together); d++)
                    {
                        var rng = new Random(t.Seed * 7919 + n * 101 + d);
                        var pick = byClass.SelectMany(ix =>
                        {
                            if (ix.Length < n) throw new ArgumentOutOfRangeException(nameof(shots), n, $"a class has only {ix.Length} training examples; shots must be <= that");
                            var copy = (int[])ix.Clone();
                            rng.Shuffle(copy);
                            return copy[..n];
                        }).ToArray();
                        group.Add(new ProbeRun(engine, ProbeOptions.Linear(split.Train.X.Cols, classes), split with { Train = split.Train.Subset(pick) }, t with { Seed = rng.Next() }));
                    }
                    Train(engine, group, split, classes);
                    for (int g = 0; g < group.Count; g++) acc[first + g] = group[g].Result().TestAccuracy;
                }
                finally
                {
                    foreach (var run in group) run.Dispose();
                }
            }
            double mean = acc.Average(), std = Math.Sqrt(acc.Sum(a => (a - mean) * (a - mean)) / Math.Max(1, draws - 1));
            log?.Invoke($"{n} per class: {mean:P2} ± {std:P2} over {draws} draws");
            results.Add((n, mean, std, acc));
        }
        return results;
    }

    /// <summary>Runs <paramref name="group"/> (the same number of training rows each, so the same steps and evaluation
    /// points) step by step to the end, scoring them together.</summary>
    static void Train(IEngine engine, List<ProbeRun> group, Split split, int classes)
    {
        var buffers = new RowBuffers(split.Train.X.Cols);
        while (!group[0].Finished)
        {
            if (!group.Select(run => run.Next()).ToArray().Contains(true)) continue;
            using var all = SideBySide(engine, group, classes);
            double[]? validation = split.Validation is null ? null : ProbeRun.Accuracies(all, group.Count, split.Validation, null, buffers);
            bool[] chosen = [.. group.Select((run, g) => run.MayChoose(validation?[g]))];
            double[]? test = chosen.Contains(true) ? ProbeRun.Accuracies(all, group.Count, split.Test, null, buffers) : null;
            for (int g = 0; g < group.Count; g++) group[g].Record(validation?[g], chosen[g] ? test![g] : null);
        }
    }

    /// <summary>One linear classifier holding the weights of every run of <paramref name="group"/> as they stand, run g's
    /// classes from g * classes on.</summary>
    static IClassifier SideBySide(IEngine engine, List<ProbeRun> group, int classes)
    {
        var parts = group.Select(run => run.Probe.Read()).ToList();
        int inputs = parts[0].Weights[0].Cols;
        var w = new Matrix(classes * group.Count, inputs);
        var b = new Matrix(1, classes * group.Count);
        for (int g = 0; g < group.Count; g++)
        {
            parts[g].Weights[0].Data.CopyTo(w.Data, g * classes * inputs);
            parts[g].Bias.Data.CopyTo(b.Data, g * classes);
        }
        return engine.CreateClassifier(ProbeOptions.Linear(inputs, classes * group.Count), new ClassifierParameters([w], b, [], [], [], []));
    }
}

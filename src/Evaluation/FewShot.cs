using Hebb.Contracts;

namespace Hebb.Evaluation;

/// <summary>The few-shot probe (CSNN section IV-C): the linear probe on N examples per class, averaged over draws.</summary>
public static class FewShot
{
    public static readonly int[] DefaultShots = [1, 2, 5, 10, 20, 50];

    /// <summary>For each N: <paramref name="draws"/> seeded draws of N training examples per class, a linear probe
    /// trained on each (pocket rule on the split's validation set); the mean and standard deviation of test accuracy.</summary>
    public static IReadOnlyList<(int Shots, double Mean, double Std, double[] Accuracies)> Run(
        IEngine engine, Split split, int classes, IReadOnlyList<int> shots, int draws, ProbeTraining t, Action<string>? log = null)
    {
        var byClass = Enumerable.Range(0, classes).Select(c => Enumerable.Range(0, split.Train.Count).Where(i => split.Train.Y[i] == c).ToArray()).ToArray();
        var results = new List<(int, double, double, double[])>();
        foreach (int n in shots)
        {
            var acc = new double[draws];
            for (int d = 0; d < draws; d++)
            {
                var rng = new Random(t.Seed * 7919 + n * 101 + d);
                var pick = byClass.SelectMany(ix =>
                {
                    if (ix.Length < n) throw new ArgumentOutOfRangeException(nameof(shots), n, $"a class has only {ix.Length} training examples; shots must be <= that");
                    var copy = (int[])ix.Clone();
                    rng.Shuffle(copy);
                    return copy[..n];
                }).ToArray();
                var small = split with { Train = split.Train.Subset(pick) };
                acc[d] = ProbeTrainer.Train(engine, ProbeOptions.Linear(split.Train.X.Cols, classes), small, t with { Seed = rng.Next() },
                    testEveryPoint: false).TestAccuracy;
            }
            double mean = acc.Average(), std = Math.Sqrt(acc.Sum(a => (a - mean) * (a - mean)) / Math.Max(1, draws - 1));
            log?.Invoke($"{n} per class: {mean:P2} ± {std:P2} over {draws} draws");
            results.Add((n, mean, std, acc));
        }
        return results;
    }
}

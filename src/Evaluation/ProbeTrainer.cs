using System.Diagnostics;
using Hebb.Contracts;

namespace Hebb.Evaluation;

/// <summary>How a probe is trained: Adam with standard parameters and batch 512 as CSNN does.</summary>
public sealed record ProbeTraining
{
    public int Epochs { get; init; } = 20;
    public int Batch { get; init; } = 512;
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Constant (false, CSNN's protocol) or cosine annealing (true): step t of T (counted from 0) takes
    /// lr * (1 + cos(pi t / T)) / 2, from lr down towards 0 at the last step.</summary>
    public bool Cosine { get; init; }
    /// <summary>Steps between evaluations of validation (and test) accuracy; 0: four times an epoch.</summary>
    public int EvalEvery { get; init; }
    public int Seed { get; init; } = 1;

    /// <summary>The learning rate of step <paramref name="step"/> (from 0) of <paramref name="total"/>.</summary>
    public double RateAt(int step, int total)
    {
        if (total < 1) throw new ArgumentOutOfRangeException(nameof(total), total, "total must be >= 1 step");
        if (step < 0 || step >= total) throw new ArgumentOutOfRangeException(nameof(step), step, $"step must be in [0, {total})");
        return Cosine ? LearningRate * 0.5 * (1 + Math.Cos(Math.PI * step / total)) : LearningRate;
    }
}

/// <summary>One evaluation point of a probe's training: the mean loss of the minibatches since the last point, and
/// the accuracy on the training sample (<see cref="ProbeTrainer.TrainingSample"/>), the validation set (if any) and
/// the test set, measured with the probe as it stands.</summary>
public sealed record ProbePoint(int Step, double Epoch, double TrainLoss, double TrainAccuracy, double? ValidationAccuracy, double TestAccuracy);

/// <summary>
/// A probe's outcome. With a validation set the pocket rule applies: the reported test accuracy is the one at
/// the step of best validation accuracy (the earliest such step on ties). Without one, the last step's.
/// </summary>
public sealed record ProbeResult(IReadOnlyList<ProbePoint> Curve, ProbePoint Chosen, double Seconds)
{
    public double TestAccuracy => Chosen.TestAccuracy;
}

public static class ProbeTrainer
{
    /// <summary>Most training rows whose accuracy an evaluation point reports (as many as CSNN's validation half).</summary>
    public const int TrainingSampleSize = 5000;

    /// <summary>The training rows an evaluation point's training accuracy is measured on: all of them up to
    /// <see cref="TrainingSampleSize"/>, else that many evenly spaced (row i * n / size), so that measuring it costs
    /// no more than a validation half and draws nothing from the seeded generator.</summary>
    public static int[] TrainingSample(int n)
    {
        int m = Math.Min(n, TrainingSampleSize);
        var rows = new int[m];
        for (int i = 0; i < m; i++) rows[i] = (int)((long)i * n / m);
        return rows;
    }

    /// <summary>Trains a fresh probe on <paramref name="split"/>; all randomness (initial weights, batch order,
    /// dropout masks) comes from <see cref="ProbeTraining.Seed"/>.</summary>
    public static ProbeResult Train(IEngine engine, ProbeOptions options, Split split, ProbeTraining t, Action<ProbePoint>? onPoint = null)
    {
        var sw = Stopwatch.StartNew();
        var rng = new Random(t.Seed);
        using var probe = engine.CreateClassifier(options, ProbeInit.Initial(options, rng));
        var train = split.Train;
        int n = train.Count, stepsPerEpoch = (n + t.Batch - 1) / t.Batch;
        int every = t.EvalEvery > 0 ? t.EvalEvery : Math.Max(1, stepsPerEpoch / 4);
        int total = t.Epochs * stepsPerEpoch;
        var order = Enumerable.Range(0, n).ToArray();
        var curve = new List<ProbePoint>();
        ProbePoint? best = null;
        double lossSum = 0;
        int lossCount = 0, step = 0;
        var labels = new int[t.Batch];
        var buffers = new RowBuffers(train.X.Cols);
        var trainingSample = TrainingSample(n);
        for (int e = 0; e < t.Epochs; e++)
        {
            rng.Shuffle(order);
            for (int s = 0; s < stepsPerEpoch; s++)
            {
                var idx = order.AsSpan(s * t.Batch, Math.Min(t.Batch, n - s * t.Batch));
                var x = buffers.Gather(train.X, idx);
                var y = labels.AsSpan(0, idx.Length);
                for (int i = 0; i < idx.Length; i++) y[i] = train.Y[idx[i]];
                lossSum += probe.Step(x, y, ProbeInit.Masks(options, idx.Length, rng), t.RateAt(step, total));
                lossCount++;
                step++;
                if (step % every == 0 || step == total)
                {
                    var point = new ProbePoint(step, (double)step / stepsPerEpoch, lossSum / lossCount, Accuracy(probe, train, trainingSample, buffers),
                        split.Validation is null ? null : Accuracy(probe, split.Validation, null, buffers), Accuracy(probe, split.Test, null, buffers));
                    lossSum = 0; lossCount = 0;
                    curve.Add(point);
                    if (split.Validation is not null && (best is null || point.ValidationAccuracy > best.ValidationAccuracy)) best = point;
                    onPoint?.Invoke(point);
                }
            }
        }
        return new ProbeResult(curve, best ?? curve[^1], sw.Elapsed.TotalSeconds);
    }

    /// <summary>Share of the rows <paramref name="rows"/> of <paramref name="set"/> (null: every row) whose largest
    /// logit (ties: the lowest class) is the label.</summary>
    static double Accuracy(IClassifier probe, LabeledSet set, int[]? rows, RowBuffers buffers)
    {
        int right = 0, count = rows?.Length ?? set.Count;
        const int chunk = 2000;
        for (int start = 0; start < count; start += chunk)
        {
            int c = Math.Min(chunk, count - start);
            var logits = probe.Logits(rows is null ? buffers.Rows(set.X, start, c) : buffers.Gather(set.X, rows.AsSpan(start, c)));
            for (int r = 0; r < c; r++)
                if (Metrics.ArgMax(logits.Row(r)) == set.Y[rows is null ? start + r : rows[start + r]]) right++;
        }
        return (double)right / count;
    }
}

/// <summary>Matrices of features, one per number of rows, reused from step to step: a minibatch of 512 rows of 16,400
/// features is 34 MB, and a new one each step (and each evaluation chunk) left the collector gigabytes of garbage
/// during a multi-block eval. A classifier does not keep its input after a call, so one buffer per size is
/// enough.</summary>
sealed class RowBuffers(int cols)
{
    readonly Dictionary<int, Matrix> _byRows = new();

    /// <summary>The rows <paramref name="indices"/> of <paramref name="source"/>, in that order, in this size's buffer.</summary>
    public Matrix Gather(Matrix source, ReadOnlySpan<int> indices)
    {
        var m = Buffer(source, indices.Length);
        source.GatherInto(indices, m);
        return m;
    }

    /// <summary>Rows <paramref name="start"/> .. start + count - 1 of <paramref name="source"/>, in this size's buffer.</summary>
    public Matrix Rows(Matrix source, int start, int count)
    {
        var m = Buffer(source, count);
        source.Data.AsSpan(start * cols, count * cols).CopyTo(m.Data);
        return m;
    }

    Matrix Buffer(Matrix source, int rows)
    {
        if (source.Cols != cols) throw new ArgumentException($"source has {source.Cols} columns, the buffers {cols}", nameof(source));
        if (!_byRows.TryGetValue(rows, out var m)) _byRows[rows] = m = new Matrix(rows, cols);
        return m;
    }
}

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
                acc[d] = ProbeTrainer.Train(engine, ProbeOptions.Linear(split.Train.X.Cols, classes), small, t with { Seed = rng.Next() }).TestAccuracy;
            }
            double mean = acc.Average(), std = Math.Sqrt(acc.Sum(a => (a - mean) * (a - mean)) / Math.Max(1, draws - 1));
            log?.Invoke($"{n} per class: {mean:P2} ± {std:P2} over {draws} draws");
            results.Add((n, mean, std, acc));
        }
        return results;
    }
}

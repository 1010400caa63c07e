using System.Diagnostics;
using Hebb.Contracts;

namespace Hebb.Evaluation;

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

    /// <summary>How far a probe's training loss may end above its first step's before the training counts as diverged:
    /// a rate too large keeps the loss finite but leaves it well above where the untrained probe began, while a
    /// probe that learns nothing (features without information) ends near its start.</summary>
    public const double RiseFactor = 4;

    /// <summary>Trains a fresh probe on <paramref name="split"/>; all randomness (initial weights, batch order,
    /// dropout masks) comes from <see cref="ProbeTraining.Seed"/>. A loss that becomes NaN or infinite, or ends above
    /// <see cref="RiseFactor"/> times the first step's, throws <see cref="ProbeDivergedException"/>. With
    /// <paramref name="testEveryPoint"/> false the test set is scored only where the pocket rule could choose the point
    /// (the validation accuracy rises, or there is no validation set): the same chosen point and test accuracy, for a
    /// caller that keeps no curve (few-shot, whose linear probe on a few examples is evaluated at every step and spent
    /// most of its time on the test set).</summary>
    public static ProbeResult Train(IEngine engine, ProbeOptions options, Split split, ProbeTraining t, Action<ProbePoint>? onPoint = null,
                                    bool testEveryPoint = true)
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
        double lossSum = 0, firstLoss = double.NaN;
        int lossCount = 0, step = 0;
        var labels = new int[t.Batch];
        var buffers = new RowBuffers(train.X.Cols);
        var trainingSample = TrainingSample(n);
        string advice = $"--lr {t.LearningRate} is too large for these features, try a smaller --lr (or scale the features: --standardize on)";
        for (int e = 0; e < t.Epochs; e++)
        {
            rng.Shuffle(order);
            for (int s = 0; s < stepsPerEpoch; s++)
            {
                var idx = order.AsSpan(s * t.Batch, Math.Min(t.Batch, n - s * t.Batch));
                var x = buffers.Gather(train.X, idx);
                var y = labels.AsSpan(0, idx.Length);
                for (int i = 0; i < idx.Length; i++) y[i] = train.Y[idx[i]];
                double loss = probe.Step(x, y, ProbeInit.Masks(options, idx.Length, rng), t.RateAt(step, total));
                if (!double.IsFinite(loss))
                    throw new ProbeDivergedException($"the probe's training diverged: at step {step + 1} (epoch {(double)(step + 1) / stepsPerEpoch:F2}) its loss is {loss}; {advice}");
                if (step == 0) firstLoss = loss;
                lossSum += loss;
                lossCount++;
                step++;
                if (step % every == 0 || step == total)
                {
                    double? validation = split.Validation is null ? null : Accuracy(probe, split.Validation, null, buffers);
                    bool mayBeChosen = validation is null || best is null || validation > best.ValidationAccuracy;
                    var point = new ProbePoint(step, (double)step / stepsPerEpoch, lossSum / lossCount, Accuracy(probe, train, trainingSample, buffers),
                        validation, testEveryPoint || mayBeChosen ? Accuracy(probe, split.Test, null, buffers) : null);
                    lossSum = 0; lossCount = 0;
                    curve.Add(point);
                    if (split.Validation is not null && (best is null || point.ValidationAccuracy > best.ValidationAccuracy)) best = point;
                    onPoint?.Invoke(point);
                }
            }
        }
        if (curve[^1].TrainLoss > RiseFactor * firstLoss)
            throw new ProbeDivergedException($"the probe's training diverged: its loss rose from {firstLoss:g4} at the first step to {curve[^1].TrainLoss:g4} over its last steps; {advice}");
        return new ProbeResult(curve, best ?? curve[^1], sw.Elapsed.TotalSeconds);
    }

    /// <summary>The most rows whose logits are computed in one call without a copy (a CIFAR-10 test half, or the whole test set).</summary>
    const int WholeSet = 10_000;

    /// <summary>Share of the rows <paramref name="rows"/> of <paramref name="set"/> (null: every row) whose largest
    /// logit (ties: the lowest class) is the label.</summary>
    static double Accuracy(IClassifier probe, LabeledSet set, int[]? rows, RowBuffers buffers)
    {
        if (rows is null && set.Count <= WholeSet)
        {
            // A validation or test half is taken as it is: copying it into a buffer at every evaluation point cost more
            // than its logits (few-shot evaluates at every step).
            var all = probe.Logits(set.X);
            int hits = 0;
            for (int r = 0; r < set.Count; r++) if (Metrics.ArgMax(all.Row(r)) == set.Y[r]) hits++;
            return (double)hits / set.Count;
        }
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

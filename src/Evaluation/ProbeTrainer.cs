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
    /// <see cref="RiseFactor"/> times the first step's, throws <see cref="ProbeDivergedException"/>. Every evaluation
    /// point scores the training sample, the validation set and the test set (<see cref="ProbeRun"/>).</summary>
    public static ProbeResult Train(IEngine engine, ProbeOptions options, Split split, ProbeTraining t, Action<ProbePoint>? onPoint = null)
    {
        using var run = new ProbeRun(engine, options, split, t);
        while (!run.Finished)
        {
            if (!run.Next()) continue;
            double? validation = split.Validation is null ? null : run.Accuracy(split.Validation);
            var point = run.Record(validation, run.Accuracy(split.Test));
            onPoint?.Invoke(point);
        }
        return run.Result();
    }
}

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

using Hebb.Contracts;

namespace Hebb.Runs;

/// <summary>The training loops' check that a run has not diverged.</summary>
public static class Divergence
{
    /// <summary>Stops a run whose weights are no longer all finite numbers (the learning rate was too large for the
    /// data: NaN and infinities never come back), naming the epoch and the rate; weights.npy is not written.</summary>
    public static void CheckFinite(Matrix w, int epoch, double lr0, string outDir)
    {
        int bad = 0;
        foreach (var x in w.Data) if (!float.IsFinite(x)) bad++;
        if (bad > 0)
            throw new DivergedException($"training diverged: after epoch {epoch} {bad:N0} of the {w.Data.Length:N0} weights are NaN or infinite; " +
                                        $"--lr {lr0} is too large for these inputs, try a smaller --lr. {outDir} keeps options.json and the metrics of the epochs before; no weights.npy was written");
    }
}

using Hebb.Contracts;

namespace Hebb.Runs;

/// <summary>The training loops' check that a run has not diverged.</summary>
public static class Divergence
{
    /// <summary>Stops a run whose weights are no longer all finite numbers (NaN and infinities never come back), or,
    /// given <paramref name="bound"/>, whose largest |weight| grew past it (a rule whose weights settle on a sphere of
    /// radius R, started from N(0, 1), has no business there: the learning rate is too large, or a power overflowed),
    /// naming the epoch, the rate and what grew; weights.npy is not written, and an earlier run in the --out folder is
    /// untouched (the run writes into its partial folder, <see cref="StagedRun"/>).</summary>
    public static void CheckFinite(Matrix w, int epoch, double lr0, string outDir, double bound = double.PositiveInfinity,
                                   string boundWhy = "10^4 times the larger of the sphere's radius and the largest starting |weight|", string? kept = null)
    {
        kept ??= $"{outDir} keeps options.json and the metrics of the epochs before; no weights.npy was written, and an earlier run in the --out folder is untouched";
        int bad = 0;
        float max = 0;
        foreach (var x in w.Data)
        {
            if (!float.IsFinite(x)) bad++;
            else max = MathF.Max(max, MathF.Abs(x));
        }
        if (bad > 0)
            throw new DivergedException($"training diverged: after epoch {epoch} {bad:N0} of the {w.Data.Length:N0} weights are NaN or infinite; " +
                                        $"--lr {lr0} is too large for these inputs, try a smaller --lr. {kept}");
        if (max > bound)
            throw new DivergedException($"training diverged: after epoch {epoch} the largest |weight| is {max:g3}, past {bound:g3} ({boundWhy}); " +
                                        $"--lr {lr0} is too large for these inputs, try a smaller --lr. {kept}");
    }

    /// <summary>The growth bound of a rule whose weights settle on a sphere of radius <paramref name="radius"/>: 10^4
    /// times the larger of the radius and the largest starting |weight|.</summary>
    public static double SphereBound(Matrix w0, double radius) =>
        1e4 * Math.Max(radius, MathF.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude<float>(w0.Data)));
}

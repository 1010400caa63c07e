using Hebb.Data;
using Hebb.Runs;
using Hebb.Verification;

namespace Hebb.Checks;

/// <summary>The inputs of a check case: steps x batch samples, uniform in [0, 1) from the seed, or a dataset's training
/// images in a seeded order.</summary>
public static class CheckInputs
{
    /// <summary>An array of shape (steps, batch, ..sample): <paramref name="sample"/> synthetic, or, with a dataset, its
    /// images as C x H x W (or flat, C*H*W, with <paramref name="flat"/>).</summary>
    public static NdArray Draw(int steps, int batch, int[] sample, string? dataset, string? data, int seed, bool flat = false)
    {
        if (dataset is null)
        {
            int size = sample.Aggregate(1, (a, b) => a * b);
            return new NdArray([steps, batch, .. sample], Seeded.Uniform(steps * batch, size, seed + 1).Data.Select(v => (double)v).ToArray());
        }
        var set = Datasets.Load(dataset, DataRoot.Resolve(data), train: true);
        if ((long)steps * batch > set.Count) throw new UsageException($"--steps {steps} x --batch {batch}: more than the {set.Count} training images of {dataset}");
        var order = EngineChoice.Permutation(set.Count, new Random(seed + 1));
        int cols = set.Images.Cols;
        var x = new NdArray(flat ? [steps, batch, cols] : [steps, batch, set.Channels, set.Height, set.Width]);
        for (int s = 0; s < steps * batch; s++)
            for (int i = 0; i < cols; i++) x.Data[s * cols + i] = set.Images[order[s], i];
        return x;
    }
}

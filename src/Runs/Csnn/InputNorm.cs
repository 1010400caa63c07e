using Hebb.Contracts;

namespace Hebb.Runs;

/// <summary>CSNN's input normalization (the authors' code, where the paper only asks for a normalized input): x minus
/// the mean over all training pixels, over their standard deviation (epsilon 1e-7); per channel as an option. The
/// statistics come from the training images and are kept in the run folder, so the probes' images get the same.</summary>
public sealed record InputNorm(double[] Mean, double[] Std)
{
    /// <summary>The statistics of the first <paramref name="count"/> images: one mean and deviation over every pixel
    /// and channel, or one per channel (channel-major images of <paramref name="channels"/> planes).</summary>
    public static InputNorm Fit(Matrix images, int count, int channels, bool perChannel)
    {
        int plane = images.Cols / channels, groups = perChannel ? channels : 1, span = perChannel ? plane : images.Cols;
        var mean = new double[groups];
        var std = new double[groups];
        for (int g = 0; g < groups; g++)
        {
            double sum = 0, sq = 0;
            for (int r = 0; r < count; r++)
                foreach (float v in images.Row(r).Slice(g * span, span)) { sum += v; sq += (double)v * v; }
            double n = (double)count * span;
            mean[g] = sum / n;
            std[g] = Math.Sqrt(Math.Max(sq / n - mean[g] * mean[g], 0)) + 1e-7;
        }
        return new InputNorm(mean, std);
    }

    /// <summary>The images normalized (a copy).</summary>
    public Matrix Apply(Matrix images)
    {
        var x = images.Clone();
        int span = x.Cols / Mean.Length;
        Parallel.For(0, x.Rows, r =>
        {
            var row = x.Row(r);
            for (int i = 0; i < row.Length; i++) row[i] = (float)((row[i] - Mean[i / span]) / Std[i / span]);
        });
        return x;
    }
}

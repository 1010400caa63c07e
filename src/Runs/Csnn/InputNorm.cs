using Hebb.Contracts;

namespace Hebb.Runs;

/// <summary>CSNN's input normalization (the authors' code, where the paper only asks for a normalized input): x minus
/// the mean over all training pixels, over their standard deviation (epsilon 1e-7); per channel as an option.</summary>
public static class InputNorm
{
    /// <summary>The first <paramref name="count"/> images, normalized by their own statistics (a copy).</summary>
    public static Matrix Apply(Matrix images, int count, int channels, bool perChannel)
    {
        var x = count == images.Rows ? images.Clone() : images.SliceRows(0, count);
        int plane = x.Cols / channels;
        int groups = perChannel ? channels : 1;
        for (int g = 0; g < groups; g++)
        {
            double sum = 0, sq = 0;
            long n = 0;
            for (int r = 0; r < x.Rows; r++)
            {
                var row = x.Row(r);
                int from = perChannel ? g * plane : 0, to = perChannel ? (g + 1) * plane : x.Cols;
                for (int i = from; i < to; i++) { sum += row[i]; sq += (double)row[i] * row[i]; n++; }
            }
            double mean = sum / n, std = Math.Sqrt(Math.Max(sq / n - mean * mean, 0)) + 1e-7;
            for (int r = 0; r < x.Rows; r++)
            {
                var row = x.Row(r);
                int from = perChannel ? g * plane : 0, to = perChannel ? (g + 1) * plane : x.Cols;
                for (int i = from; i < to; i++) row[i] = (float)((row[i] - mean) / std);
            }
        }
        return x;
    }
}

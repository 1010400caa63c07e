using Hebb.Contracts;

namespace Hebb.Evaluation;

/// <summary>
/// Per-feature standardization fitted on a training set: x' = (x - mean) / (std + 1e-12 * max std). An affine
/// reparametrization of a linear classifier (the same family of models) that lets Adam train on features of
/// wildly different scales, such as ReLU(cos)^40.
/// </summary>
public sealed class Standardizer
{
    readonly float[] _mean, _scale;

    Standardizer(float[] mean, float[] scale) { _mean = mean; _scale = scale; }

    /// <summary>One scale for every feature: x' = x / rms, the root mean square of all training features (zero
    /// stays zero, relative sizes stay). For sparse, heavy-tailed features such as pooled ReLU(cos)^40, where
    /// per-feature standardization blows rarely active features up to the size of common ones.</summary>
    public static Standardizer Global(FeatureRows train)
    {
        double sq = 0;
        train.ForEachRow(row => { foreach (var x in row) sq += (double)x * x; });
        double rms = Math.Sqrt(sq / Math.Max((long)train.Rows * train.Cols, 1));
        float inv = rms > 0 && double.IsFinite(rms) ? (float)(1 / rms) : 1f;
        return new Standardizer(new float[train.Cols], Enumerable.Repeat(inv, train.Cols).ToArray());
    }

    public Standardizer(FeatureRows train)
    {
        int n = train.Cols;
        var sum = new double[n];
        var sq = new double[n];
        train.ForEachRow(row =>
        {
            for (int j = 0; j < n; j++) { sum[j] += row[j]; sq[j] += (double)row[j] * row[j]; }
        });
        var std = new double[n];
        _mean = new float[n];
        for (int j = 0; j < n; j++)
        {
            double m = sum[j] / train.Rows;
            _mean[j] = (float)m;
            std[j] = Math.Sqrt(Math.Max(0, sq[j] / train.Rows - m * m));
        }
        double floor = 1e-12 * Math.Max(std.DefaultIfEmpty(0).Max(), 1e-300);
        _scale = [.. std.Select(s => (float)(1 / Math.Max(s, floor)))];
    }

    public void Apply(FeatureRows x) => x.SubtractThenScale(_mean, _scale);
}

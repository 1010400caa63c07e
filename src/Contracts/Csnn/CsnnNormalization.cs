namespace Hebb.Contracts;

/// <summary>
/// The normalization after a CSNN layer (Stuhr &amp; Brauer, section III-F: batch norm without trainable parameters):
/// output channel c's value x becomes (x - Mean[c]) / sqrt(Variance[c] + Epsilon), the same at every position.
/// <see cref="Estimated"/> is the paper's (statistics of the layer's outputs on training images, as batch norm uses at
/// inference); <see cref="AuthorsCode"/> is what the authors' code does (statistics never updated: mean 0, variance 1,
/// epsilon 1e-3, only a division by sqrt(1.001)); <see cref="None"/> is the D-NBN ablation.
/// </summary>
public sealed record CsnnNormalization(float[] Mean, float[] Variance, double Epsilon)
{
    /// <summary>Keras' and TensorFlow's batch norm epsilon, which the authors' code uses.</summary>
    public const double BatchNormEpsilon = 1e-3;

    public int Channels => Mean.Length;

    /// <summary>Batch norm with the statistics of the layer's outputs: per channel, the mean and (population)
    /// variance over images and positions.</summary>
    public static CsnnNormalization Estimated(float[] mean, float[] variance) => new(mean, variance, BatchNormEpsilon);

    /// <summary>The authors' code: batch norm in inference mode with its initial statistics (mean 0, variance 1).</summary>
    public static CsnnNormalization AuthorsCode(int channels) => new(new float[channels], Ones(channels), BatchNormEpsilon);

    /// <summary>No normalization (the paper's D-NBN row).</summary>
    public static CsnnNormalization None(int channels) => new(new float[channels], Ones(channels), 0);

    static float[] Ones(int n)
    {
        var v = new float[n];
        Array.Fill(v, 1f);
        return v;
    }

    /// <summary>Refuses a normalization that is not one finite mean and one finite variance >= 0 per output channel
    /// of <paramref name="options"/>' layer, with Variance + Epsilon > 0, naming the argument.</summary>
    public CsnnNormalization CheckFor(CsnnOptions options, string name)
    {
        if (Mean is null || Variance is null || Mean.Length != options.OutChannels || Variance.Length != options.OutChannels)
            throw new ArgumentException($"{name} has {Mean?.Length ?? 0} means and {Variance?.Length ?? 0} variances; one of each per output channel ({options.OutChannels}) is required", name);
        if (!double.IsFinite(Epsilon) || Epsilon < 0) throw new ArgumentOutOfRangeException(name, Epsilon, $"{name}.Epsilon must be a finite number >= 0");
        for (int c = 0; c < Mean.Length; c++)
        {
            if (!float.IsFinite(Mean[c])) throw new ArgumentException($"{name}.Mean[{c}] = {Mean[c]}: means must be finite", name);
            if (!float.IsFinite(Variance[c]) || Variance[c] < 0 || Variance[c] + Epsilon <= 0)
                throw new ArgumentException($"{name}.Variance[{c}] = {Variance[c]}: variances must be finite, >= 0, and with Epsilon ({Epsilon}) > 0", name);
        }
        return this;
    }

    /// <summary>Channel c's factor 1 / sqrt(Variance[c] + Epsilon), computed in float64.</summary>
    public float Scale(int c) => (float)(1.0 / Math.Sqrt(Variance[c] + Epsilon));
}

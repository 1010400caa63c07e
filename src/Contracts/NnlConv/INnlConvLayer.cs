namespace Hebb.Contracts;

/// <summary>An NNL-CONV (or CONV) layer with fixed filters, created by an engine.</summary>
public interface INnlConvLayer : IDisposable
{
    NnlConvOptions Options { get; }

    /// <summary>Every patch of every image (zero padding), raw: (B * positions) x (W * W * C), image by image,
    /// positions row by row.</summary>
    Matrix Patches(Matrix images);

    /// <summary>B x Features: patch normalization (if on), f(M v) per filter and position, then max pooling.</summary>
    Matrix Forward(Matrix images);

    Matrix ReadWeights();
}

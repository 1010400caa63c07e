using Hebb.Contracts;

namespace Hebb.Runs;

/// <summary>One layer of a CSNN model as the paper's section IV-A describes it: its SOM grid (rows x cols per map, and
/// the maps), its stride, sigma of eq. 3, its masks (input masks for the first layer, eq. 14; masks between layers
/// after it, eq. 15), and the steps it trains for in the layer-wise schedule (the authors: 2,000 each).</summary>
public sealed record CsnnLayerSpec(int GridRows, int GridCols, int Maps, int Stride, double Sigma, CsnnMaskKind Masks, int Steps)
{
    /// <summary>The layer's options on an input of height x width x channels: kernel K with TensorFlow's padding "same"
    /// (<see cref="SamePadding"/>: ceil(n / stride) positions per side, an odd remainder of the padding after). The
    /// authors' code's pairing (<paramref name="rules"/>' CodePairing) applies to masks between layers only.</summary>
    public CsnnOptions Options(int height, int width, int channels, int kernel, int pool, CsnnOptions rules) => rules with
    {
        Height = height, Width = width, Channels = channels, Kernel = kernel, Stride = Stride,
        Padding = SamePadding(height, kernel, Stride).Before, PaddingAfter = SamePadding(height, kernel, Stride).After,
        GridRows = GridRows, GridCols = GridCols, Maps = Maps, MaskKind = Masks, Sigma = Sigma, Pool = pool,
        CodePairing = rules.CodePairing && Masks == CsnnMaskKind.BetweenLayers,
    };

    /// <summary>TensorFlow's padding "same" of a side of n: the total max((ceil(n / s) - 1) s + K - n, 0), half of it
    /// (rounded down) before and the rest after.</summary>
    public static (int Before, int After) SamePadding(int n, int kernel, int stride)
    {
        int outSide = (n + stride - 1) / stride;
        int total = Math.Max((outSide - 1) * stride + kernel - n, 0);
        return (total / 2, total - total / 2);
    }
}

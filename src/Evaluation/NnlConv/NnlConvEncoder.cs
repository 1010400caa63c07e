using Hebb.Contracts;

namespace Hebb.Evaluation;

/// <summary>An NNL-CONV (or CONV) layer as an encoder: convolution, f = ReLU^n, max pooling, flattened.</summary>
public sealed class NnlConvEncoder(INnlConvLayer layer, string name = "NNL-CONV") : IEncoder
{
    public string Name
    {
        get
        {
            var o = layer.Options;
            return $"{name} (W = {o.Window}, K = {o.Filters}, {(o.CenterPatches ? "centred, " : "")}{(o.PatchNormalization ? "patch-normalized" : "no patch normalization")}, n = {o.Power}, {(o.Padding > 0 ? $"padding {o.Padding}, " : "")}pool {o.PoolWindow}/{o.PoolStride})";
        }
    }

    public int Features => layer.Options.Features;

    public Matrix Encode(Matrix images)
    {
        var h = new Matrix(images.Rows, Features);
        const int chunk = 100;
        for (int start = 0; start < images.Rows; start += chunk)
        {
            int c = Math.Min(chunk, images.Rows - start);
            layer.Forward(images.SliceRows(start, c)).Data.CopyTo(h.Data, (long)start * Features);
        }
        return h;
    }
}

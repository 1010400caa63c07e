using Hebb.Contracts;

namespace Hebb.Evaluation;

/// <summary>
/// A Krotov–Hopfield layer's encoder, eq. 1: h = ReLU(W v)^n, each image optionally scaled to a unit vector
/// first (the authors' remark for the top layer). Encodes in chunks so memory stays bounded by the output.
/// </summary>
public sealed class KrotovEncoder(IKrotovLayer layer, double n, bool normalize, string name = "Krotov–Hopfield") : IEncoder
{
    public string Name => $"{name} (h = ReLU(W v)^{n}{(normalize ? ", unit-norm images" : "")})";
    public int Features => layer.Options.Units;
    public IKrotovLayer Layer => layer;

    public Matrix Encode(Matrix images)
    {
        var h = new Matrix(images.Rows, Features);
        const int chunk = 1000;
        for (int start = 0; start < images.Rows; start += chunk)
        {
            int c = Math.Min(chunk, images.Rows - start);
            var v = images.SliceRows(start, c);
            if (normalize) UnitRows(v);
            layer.Encode(v, n).Data.CopyTo(h.Data, (long)start * Features);
        }
        return h;
    }

    /// <summary>Scales each row to unit Euclidean length (zero rows stay zero).</summary>
    public static void UnitRows(Matrix v)
    {
        for (int r = 0; r < v.Rows; r++) UnitLength(v.Row(r));
    }

    /// <summary>Scales a vector to unit Euclidean length, its squared length summed in double (a zero vector stays zero).</summary>
    public static void UnitLength(Span<float> v)
    {
        double s = 0;
        foreach (var x in v) s += (double)x * x;
        if (s > 0) System.Numerics.Tensors.TensorPrimitives.Multiply(v, (float)(1 / Math.Sqrt(s)), v);
    }
}

using System.Numerics.Tensors;
using Hebb.Accelerated.Backends.Cpu;

namespace Hebb.Accelerated.Rules.Krotov;

/// <summary>Eq. 1 of Krotov &amp; Hopfield: h = ReLU(V W^T)^n. Reference: Hebb.Reference.TopLayer.encode.</summary>
public static class KrotovEncoding
{
    public static void Encode(IGemm gemm, ReadOnlySpan<float> v, int rows, int n, ReadOnlySpan<float> w, int k, float power, Span<float> h)
    {
        gemm.Sgemm(false, true, rows, k, n, 1f, v, n, w, k == 0 ? 0 : n, 0f, h, k);
        var hh = h.Slice(0, rows * k);
        TensorPrimitives.Max(hh, 0f, hh);
        if (power == 1f) return;
        if (power == 2f) { TensorPrimitives.Multiply(hh, hh, hh); return; }
        TensorPrimitives.Pow(hh, power, hh);
    }
}

using System.Numerics;

namespace Hebb.Accelerated.Backends.Cpu;

/// <summary>
/// Adam (Kingma &amp; Ba 2015, algorithm 1) in one fused pass over theta, g, m and v: SIMD lanes, chunks in
/// parallel. m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; theta -= lr (m / c1) / (sqrt(v / c2) + eps), with
/// c1 = 1 - b1^t and c2 = 1 - b2^t. Reference: Hebb.Reference.TopLayer.adamStep, Hebb.Reference.Probe.step.
/// </summary>
public static class CpuAdam
{
    const int Chunk = 1 << 16;

    public static void Step(float[] theta, float[] g, float[] m, float[] v, float b1, float b2, float c1, float c2, float lr, float eps)
    {
        int n = theta.Length;
        if (g.Length < n || m.Length < n || v.Length < n) throw new ArgumentException("Adam's buffers must be as long as theta");
        int chunks = (n + Chunk - 1) / Chunk;
        if (chunks == 1) Range(theta, g, m, v, 0, n, b1, b2, c1, c2, lr, eps);
        else Parallel.For(0, chunks, c => Range(theta, g, m, v, c * Chunk, Math.Min(n, (c + 1) * Chunk), b1, b2, c1, c2, lr, eps));
    }

    static void Range(float[] theta, float[] g, float[] m, float[] v, int lo, int hi, float b1, float b2, float c1, float c2, float lr, float eps)
    {
        int i = lo;
        int w = Vector<float>.Count;
        if (hi - lo >= w)
        {
            var vb1 = new Vector<float>(b1); var vb1c = new Vector<float>(1f - b1);
            var vb2 = new Vector<float>(b2); var vb2c = new Vector<float>(1f - b2);
            var vc1 = new Vector<float>(1f / c1); var vc2 = new Vector<float>(1f / c2);
            var vlr = new Vector<float>(lr); var veps = new Vector<float>(eps);
            for (; i <= hi - w; i += w)
            {
                var gi = new Vector<float>(g, i);
                var mi = vb1 * new Vector<float>(m, i) + vb1c * gi;
                var vi = vb2 * new Vector<float>(v, i) + vb2c * gi * gi;
                mi.CopyTo(m, i);
                vi.CopyTo(v, i);
                (new Vector<float>(theta, i) - vlr * (mi * vc1) / (Vector.SquareRoot(vi * vc2) + veps)).CopyTo(theta, i);
            }
        }
        for (; i < hi; i++)
        {
            float gi = g[i];
            float mi = m[i] = b1 * m[i] + (1f - b1) * gi;
            float vi = v[i] = b2 * v[i] + (1f - b2) * gi * gi;
            theta[i] -= lr * (mi / c1) / (MathF.Sqrt(vi / c2) + eps);
        }
    }
}

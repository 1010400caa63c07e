using Hebb.Accelerated.Backends.Cpu;
using Xunit;

namespace Hebb.Tests.Equivalence;

/// <summary>Both GEMMs against a float64 triple loop, for every transpose combination and odd sizes.</summary>
public class GemmTests
{
    public static TheoryData<int, int, int, bool, bool> Shapes()
    {
        var d = new TheoryData<int, int, int, bool, bool>();
        foreach (var (m, n, k) in new[] { (1, 1, 1), (3, 5, 7), (17, 1, 33), (64, 65, 63), (1, 100, 784) })
            foreach (var ta in new[] { false, true })
                foreach (var tb in new[] { false, true })
                    d.Add(m, n, k, ta, tb);
        return d;
    }

    [Theory, MemberData(nameof(Shapes))]
    public void ManagedMatchesTripleLoop(int m, int n, int k, bool ta, bool tb) => Check(new ManagedGemm(), m, n, k, ta, tb);

    [OpenBlasTheory, MemberData(nameof(Shapes))]
    public void OpenBlasMatchesTripleLoop(int m, int n, int k, bool ta, bool tb) => Check(OpenBlasGemm.TryLoad(out _)!, m, n, k, ta, tb);

    static void Check(IGemm gemm, int m, int n, int k, bool ta, bool tb)
    {
        var rng = new Random(m * 1000 + n * 10 + k);
        float[] a = Enumerable.Range(0, m * k).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        float[] b = Enumerable.Range(0, k * n).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        float[] c = Enumerable.Range(0, m * n).Select(_ => (float)rng.NextDouble()).ToArray();
        float[] c0 = (float[])c.Clone();
        const float alpha = 1.5f, beta = 0.5f;
        gemm.Sgemm(ta, tb, m, n, k, alpha, a, ta ? m : k, b, tb ? k : n, beta, c, n);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int l = 0; l < k; l++)
                    s += (double)(ta ? a[l * m + i] : a[i * k + l]) * (tb ? b[j * k + l] : b[l * n + j]);
                double expect = alpha * s + beta * c0[i * n + j];
                // k products of size <= 0.25 each: float32 error <= k * 6e-8 * 0.25 * alpha, plus rounding of the result
                Assert.True(Math.Abs(c[i * n + j] - expect) <= 1e-6 + 1e-7 * k, $"C[{i},{j}] = {c[i * n + j]}, expected {expect}");
            }
    }

    /// <summary>Random op(A) (m x k) and op(B) (k x n), row-major, for the managed GEMM's chain and transpose tests.</summary>
    static (float[] A, float[] B) Operands(int m, int n, int k, int seed)
    {
        var rng = new Random(seed);
        return (Enumerable.Range(0, m * k).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray(),
                Enumerable.Range(0, k * n).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray());
    }

    /// <summary>ManagedGemm's contract: every C[i, j] is the chain of (fused, where the processor fuses) multiply-adds
    /// over l in order from zero, then alpha times it, then plus beta C, bit for bit, whatever the shape (edge tiles,
    /// several blocks of k or of columns, products large enough to run in parallel by row tiles or by panels) and
    /// the transposes.</summary>
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 13, 5)]
    [InlineData(400, 100, 48)]
    [InlineData(100, 400, 48)]
    [InlineData(61, 37, 600)]
    [InlineData(200, 130, 784)]
    [InlineData(50, 300, 300)]     // panels split over the cores (at 512 bits), one block of columns each (tb: transposed, below)
    [InlineData(30, 1100, 512)]    // ... several blocks of columns each, two blocks of k, edge rows and columns (likewise)
    [InlineData(40, 1000, 300)]    // a wide op(B) stored n x k (tb): computed as C^T = B op(A)^T, then transposed back
    public void ManagedIsTheFmaChainOfEveryElement(int m, int n, int k)
    {
        if ((m, n, k) == (40, 1000, 300)) Assert.True(ManagedGemm.TransposesWideB(true, m, n, k), "this shape no longer takes the transposed product");
        var (a, b) = Operands(m, n, k, m + n + k);
        var gemm = new ManagedGemm();
        foreach (var (ta, tb) in new[] { (false, false), (false, true), (true, false), (true, true) })
            foreach (var (alpha, beta) in new[] { (1f, 0f), (0.75f, 0f), (1.5f, 0.5f) })
            {
                // op(A) = a as m x k; stored transposed when ta; likewise op(B) = b as k x n.
                float[] sa = ta ? Transpose(a, m, k) : a, sb = tb ? Transpose(b, k, n) : b;
                float[] c = Enumerable.Range(0, m * n).Select(i => (float)(i % 7) - 3f).ToArray(), c0 = (float[])c.Clone();
                gemm.Sgemm(ta, tb, m, n, k, alpha, sa, ta ? m : k, sb, tb ? k : n, beta, c, n);
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++)
                    {
                        float chain = 0f;
                        for (int l = 0; l < k; l++)
                            chain = ManagedGemm.Fused ? MathF.FusedMultiplyAdd(a[i * k + l], b[l * n + j], chain)
                                                      : a[i * k + l] * b[l * n + j] + chain;
                        float expect = beta == 0f ? (alpha == 1f ? chain : alpha * chain) : alpha * chain + beta * c0[i * n + j];
                        if (BitConverter.SingleToInt32Bits(c[i * n + j]) != BitConverter.SingleToInt32Bits(expect))
                            Assert.Fail($"{m}x{n}x{k} ta={ta} tb={tb} alpha={alpha} beta={beta}: C[{i},{j}] = {c[i * n + j]:R}, the chain gives {expect:R}");
                    }
            }
    }

    /// <summary>The product and its transpose, B^T A^T, are equal bit for bit (what lets CpuKrotovLayer compute the
    /// currents in either orientation with the same rounding).</summary>
    [Fact]
    public void ManagedTransposeIsBitEqual()
    {
        const int m = 100, n = 400, k = 48;
        var (a, b) = Operands(m, n, k, 3);
        float[] c = new float[m * n], ct = new float[n * m];
        var gemm = new ManagedGemm();
        gemm.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n);
        gemm.Sgemm(true, true, n, m, k, 1f, b, n, a, k, 0f, ct, m);
        Assert.Equal(c, Transpose(ct, n, m));
    }

    /// <summary>BLAS's rules at the edges: beta = 0 overwrites C without reading it (NaN there does not survive);
    /// k = 0 or alpha = 0 leaves beta C; an empty C is not touched.</summary>
    [Fact]
    public void ManagedFollowsBlasAtTheEdges()
    {
        var gemm = new ManagedGemm();
        float[] a = [1, 2, 3, 4], b = [1, 0, 0, 1];
        float[] c = [float.NaN, float.NaN, float.NaN, float.PositiveInfinity];
        gemm.Sgemm(false, false, 2, 2, 2, 1f, a, 2, b, 2, 0f, c, 2);
        Assert.Equal(new float[] { 1, 2, 3, 4 }, c);
        float[] d = [1, float.NaN, 3, 4];
        gemm.Sgemm(false, false, 2, 2, 0, 1f, [], 1, [], 2, 0f, d, 2);
        Assert.Equal(new float[] { 0, 0, 0, 0 }, d);
        float[] e = [1, 2, 3, 4];
        gemm.Sgemm(false, false, 2, 2, 2, 0f, a, 2, b, 2, 2f, e, 2);
        Assert.Equal(new float[] { 2, 4, 6, 8 }, e);
        float[] f = [5];
        gemm.Sgemm(false, false, 0, 1, 2, 1f, [], 2, b, 1, 0f, f, 1);
        Assert.Equal(5f, f[0]);
    }

    static float[] Transpose(float[] x, int rows, int cols)
    {
        var t = new float[x.Length];
        for (int r = 0; r < rows; r++)
            for (int q = 0; q < cols; q++) t[q * rows + r] = x[r * cols + q];
        return t;
    }

    [Fact]
    public void ShortOperandIsRefusedWithItsName()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ManagedGemm().Sgemm(false, false, 2, 2, 2, 1, new float[3], 2, new float[4], 2, 0, new float[4], 2));
        Assert.Contains("a has 3 elements", ex.Message);
    }
}

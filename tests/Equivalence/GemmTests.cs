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

    [Fact]
    public void ShortOperandIsRefusedWithItsName()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ManagedGemm().Sgemm(false, false, 2, 2, 2, 1, new float[3], 2, new float[4], 2, 0, new float[4], 2));
        Assert.Contains("a has 3 elements", ex.Message);
    }
}

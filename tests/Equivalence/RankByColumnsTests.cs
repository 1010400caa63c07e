using Hebb.Accelerated.Rules.Krotov;
using Hebb.Accelerated.Backends.Cpu;
using Hebb.Contracts;
using Hebb.Verification;
using Xunit;

namespace Hebb.Tests.Equivalence;

/// <summary>
/// The cpu layer's two ways to rank (CpuKrotovLayer.RankByColumns: a column of currents per sample ranked by
/// TopK.Columns, or a row per sample ranked by TopK.Find) give the same steps: bit for bit with the managed GEMM,
/// whose every current is the same dot product either way; with OpenBLAS, up to its rounding of the two products.
/// Exact ties (a palette of a few values) included, so the tie order of both must agree. Steps one by one and a pass
/// on 3 threads. Where the CPU has no 512-bit vectors, only the refusal to rank by columns is checked.
/// </summary>
public class RankByColumnsTests
{
    static IGemm[] Gemms() => OpenBlasGemm.TryLoad(out _) is { } ob ? [new ManagedGemm(), ob] : [new ManagedGemm()];

    [Theory]
    [InlineData(KrotovVariant.Paper, 2, 1), InlineData(KrotovVariant.Paper, 2, 3), InlineData(KrotovVariant.AuthorsCode, 2, 1), InlineData(KrotovVariant.AuthorsCode, 2, 3)]
    public void ColumnsAndRowsStepAlike(KrotovVariant variant, int rankK, int threads)
    {
        var o = new KrotovOptions { Units = 70, Inputs = 12, P = 2, RankK = rankK, Delta = 0.2, Variant = variant };
        var w0 = Seeded.Normal(o.Units, o.Inputs, 7);
        // Inputs drawn from {0, 0.5, 1}: with weights in the same palette, many currents tie exactly.
        var rng = new Random(3);
        var data = new Matrix(150, o.Inputs);
        for (int i = 0; i < data.Data.Length; i++) data.Data[i] = rng.Next(3) * 0.5f;
        var tied = new Matrix(o.Units, o.Inputs);
        for (int i = 0; i < tied.Data.Length; i++) tied.Data[i] = (rng.Next(3) - 1) * 0.25f;
        foreach (var start in new[] { w0, tied })
            foreach (var gemm in Gemms())
            {
                using var rows = new CpuKrotovLayer(gemm, o, start) { RankByColumns = false, Threads = threads };
                using var cols = new CpuKrotovLayer(gemm, o, start) { Threads = threads };
                if (!TopK.ColumnsAccelerated)
                {
                    Assert.False(cols.RankByColumns);
                    Assert.Throws<ArgumentException>(() => cols.RankByColumns = true);
                    return;
                }
                Assert.True(cols.RankByColumns);
                if (threads == 1)
                    foreach (var v in MatrixSource.Batches(data, 40)) { rows.Step(v, 0.1); cols.Step(v, 0.1); }
                else
                {
                    rows.Learn(new MatrixSource(data, 40), 0.1);
                    cols.Learn(new MatrixSource(data, 40), 0.1);
                }
                var expected = rows.ReadWeights();
                Assert.NotEqual(start.Data, expected.Data);
                if (gemm is ManagedGemm) Assert.Equal(expected.Data, cols.ReadWeights().Data);
                else
                {
                    var c = Compare.Matrices("krotov", "columns against rows", expected, cols.ReadWeights(), KrotovTolerances.Trajectory);
                    Assert.True(c.Pass, c.ToString());
                }
            }
    }

    [Fact]
    public void ColumnsAreRefusedForLargerK()
    {
        using var layer = new CpuKrotovLayer(new ManagedGemm(), new KrotovOptions { Units = 10, Inputs = 4, RankK = 3 }, Seeded.Normal(10, 4, 1));
        Assert.False(layer.RankByColumns);
        var ex = Assert.Throws<ArgumentException>(() => layer.RankByColumns = true);
        Assert.Equal("RankByColumns", ex.ParamName);
        Assert.Contains("RankK is 3", ex.Message);
        layer.RankByColumns = false;   // always allowed
    }
}

using System.Runtime.Intrinsics;
using Hebb.Accelerated.Backends.Cpu;
using Xunit;

namespace Hebb.Tests.Equivalence;

/// <summary>
/// The cpu backend's ranking (TopK.Lanes, TopK.Scan) against the definition: sort by value descending, then by index
/// ascending, take the first k. Rows drawn from a few values give many exact ties (including +0 and -0, which are
/// equal), across SIMD lanes, vectors and the tail.
/// </summary>
public class TopKTests
{
    public static TheoryData<int, int> Sizes()
    {
        var d = new TheoryData<int, int>();
        foreach (int n in new[] { 1, 2, 7, 15, 16, 17, 31, 33, 48, 63, 400, 401 })
            foreach (int k in new[] { 1, 2, 3, 4, 7, 8, 9 })
                d.Add(n, k);
        return d;
    }

    [Theory, MemberData(nameof(Sizes))]
    public void MatchesSortingByValueThenIndex(int n, int k)
    {
        var rng = new Random(n * 31 + k);
        float[][] palettes = [[0f, -0f, 1f, -1f, 0.5f], [3f, 3f, 3f], null!];
        for (int trial = 0; trial < 200; trial++)
        {
            var palette = palettes[trial % palettes.Length];
            var row = Enumerable.Range(0, n).Select(_ => palette is null ? (float)(rng.NextDouble() * 2 - 1) : palette[rng.Next(palette.Length)]).ToArray();
            var expected = row.Select((x, i) => (Value: x, Index: i)).OrderByDescending(t => t.Value).ThenBy(t => t.Index).Take(k).ToArray();
            var scan = new (float Value, int Index)[k];
            int filled = TopK.Scan(row, scan);
            Assert.Equal(expected.Select(t => t.Index), scan.Take(filled).Select(t => t.Index));
            if (n > 0) Assert.Equal(expected[0].Index, TopK.Best(row));
            var found = new (float Value, int Index)[k];
            filled = TopK.Find(row, found);
            Assert.Equal(expected.Select(t => t.Index), found.Take(filled).Select(t => t.Index));
            if (k <= TopK.LaneLimit && n >= 16 && Vector256.IsHardwareAccelerated)
            {
                var lanes = new (float Value, int Index)[k];
                filled = TopK.Lanes(row, lanes);
                Assert.Equal(expected.Select(t => t.Index), lanes.Take(filled).Select(t => t.Index));
                Assert.Equal(expected.Select(t => t.Value), lanes.Take(filled).Select(t => t.Value));
            }
        }
    }

    /// <summary>
    /// TopK.Columns (a column per sample, 64 columns at a time) against the same definition, column by column: units
    /// from 2 (only the first two, no loop) up, samples that fill a group, part of one or several, and the padding
    /// columns beyond them filled with values that would win (they must not leak into a sample's ranking). Values
    /// include infinities, which the first two units seed.
    /// </summary>
    [ColumnsTheory]
    [InlineData(2, 1), InlineData(2, 64), InlineData(3, 65), InlineData(17, 100), InlineData(400, 100), InlineData(401, 128), InlineData(50, 200)]
    public void ColumnsMatchSortingByValueThenIndex(int units, int samples)
    {
        int ld = TopK.ColumnsLd(samples);
        var rng = new Random(units * 131 + samples);
        float[][] palettes = [[0f, -0f, 1f, -1f, 0.5f], [3f, 3f, 3f], [float.NegativeInfinity, float.PositiveInfinity, 0f], null!];
        for (int trial = 0; trial < 40; trial++)
        {
            var palette = palettes[trial % palettes.Length];
            var c = new float[units * ld];
            for (int u = 0; u < units; u++)
                for (int s = 0; s < ld; s++)
                    c[u * ld + s] = s >= samples ? 1e30f : palette is null ? (float)(rng.NextDouble() * 2 - 1) : palette[rng.Next(palette.Length)];
            foreach (int stride in new[] { 1, 2, 3 })
            {
                var top = new (float Value, int Index)[samples * stride];
                TopK.Columns(c, units, samples, ld, top, stride);
                int k = Math.Min(stride, 2);
                for (int s = 0; s < samples; s++)
                {
                    var expected = Enumerable.Range(0, units).Select(u => (Value: c[u * ld + s], Index: u))
                        .OrderByDescending(t => t.Value).ThenBy(t => t.Index).Take(k).ToArray();
                    var got = top.AsSpan(s * stride, k).ToArray();
                    Assert.Equal(expected.Select(t => t.Index), got.Select(t => t.Index));
                    Assert.Equal(expected.Select(t => t.Value), got.Select(t => t.Value));
                    Assert.Equal(expected.Select(t => float.IsNegative(t.Value)), got.Select(t => float.IsNegative(t.Value)));   // -0 is the entry's own
                }
            }
        }
    }

    [Fact]
    public void ColumnsRefusesWhatItCannotRank()
    {
        if (!TopK.ColumnsAccelerated)
        {
            Assert.Throws<PlatformNotSupportedException>(() => TopK.Columns(new float[128], 2, 1, 64, new (float, int)[2], 2));
            return;
        }
        var top = new (float, int)[256];
        Assert.Contains("units", Assert.Throws<ArgumentOutOfRangeException>(() => TopK.Columns(new float[64], 1, 1, 64, top, 2)).Message);
        Assert.Contains("ld", Assert.Throws<ArgumentOutOfRangeException>(() => TopK.Columns(new float[200], 2, 1, 100, top, 2)).Message);
        Assert.Contains("samples", Assert.Throws<ArgumentOutOfRangeException>(() => TopK.Columns(new float[128], 2, 65, 64, top, 2)).Message);
        Assert.Contains("stride", Assert.Throws<ArgumentOutOfRangeException>(() => TopK.Columns(new float[128], 2, 1, 64, top, 0)).Message);
        Assert.Contains("units x ld", Assert.Throws<ArgumentException>(() => TopK.Columns(new float[127], 2, 1, 64, top, 2)).Message);
        Assert.Contains("samples x stride", Assert.Throws<ArgumentException>(() => TopK.Columns(new float[128], 2, 64, 64, new (float, int)[127], 2)).Message);
    }

    [Fact]
    public void LanesRefusesWhatItCannotRank()
    {
        var top = new (float, int)[TopK.LaneLimit + 1];
        Assert.Throws<ArgumentOutOfRangeException>(() => TopK.Lanes(new float[64], top));
        Assert.Throws<ArgumentOutOfRangeException>(() => TopK.Lanes(new float[8], new (float, int)[2]));
    }
}

/// <summary>A theory of TopK.Columns: skipped, and saying so, where the CPU (or DOTNET_EnableAVX512=0) gives no 512-bit
/// vectors; the layer then ranks rows, which the tests above cover.</summary>
public sealed class ColumnsTheoryAttribute : TheoryAttribute
{
    public ColumnsTheoryAttribute()
    {
        if (!TopK.ColumnsAccelerated) Skip = "TopK.Columns needs 512-bit vectors (Vector512.IsHardwareAccelerated is false here)";
    }
}

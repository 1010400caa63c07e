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

    [Fact]
    public void LanesRefusesWhatItCannotRank()
    {
        var top = new (float, int)[TopK.LaneLimit + 1];
        Assert.Throws<ArgumentOutOfRangeException>(() => TopK.Lanes(new float[64], top));
        Assert.Throws<ArgumentOutOfRangeException>(() => TopK.Lanes(new float[8], new (float, int)[2]));
    }
}

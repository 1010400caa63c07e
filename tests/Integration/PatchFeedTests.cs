using Hebb.Accelerated.Rules.NnlConv;
using Hebb.Contracts;
using Hebb.Reference;
using Xunit;

namespace Hebb.Tests.Integration;

/// <summary>PatchSource and PatchFeed: patches cut straight into minibatches (on a second thread for the feed), against
/// the reference's im2col.</summary>
public class PatchFeedTests
{
    static Matrix Images(int count, NnlConvOptions o, int seed)
    {
        var rng = new Random(seed);
        var m = new Matrix(count, o.Height * o.Width * o.Channels);
        for (int i = 0; i < m.Data.Length; i++) m.Data[i] = (float)rng.NextDouble();
        return m;
    }

    public static TheoryData<int, int, int, int, int, int> Shapes() => new()
    {
        // height, width, channels, window, stride, padding
        { 7, 9, 3, 4, 1, 0 }, { 7, 9, 3, 4, 2, 1 }, { 5, 5, 1, 3, 1, 2 }, { 8, 6, 2, 5, 3, 0 },
    };

    [Theory, MemberData(nameof(Shapes))]
    public void CopyPatchMatchesTheReferencePatches(int h, int w, int c, int win, int stride, int pad)
    {
        var o = new NnlConvOptions { Height = h, Width = w, Channels = c, Window = win, Stride = stride, Padding = pad, Filters = 2, PoolWindow = 1, PoolStride = 1 }.Validate();
        var images = Images(3, o, 1);
        using var reference = ((IEngine)new ReferenceEngine()).CreateNnlConv(o, new Matrix(2, o.PatchSize));
        var expected = reference.Patches(images);
        var patch = new float[o.PatchSize];
        for (int b = 0; b < images.Rows; b++)
            for (int p = 0; p < o.Positions; p++)
            {
                PatchMath.Copy(o, images.Row(b), p, patch);
                Assert.Equal(expected.Row(b * o.Positions + p).ToArray(), patch);
            }
    }

    [Fact]
    public void PrepareCentresAndScalesToUnitLength()
    {
        float[] p = [1, 2, 3, 6];
        PatchMath.Prepare(p, center: true, unit: false);
        Assert.Equal([-2f, -1f, 0f, 3f], p);
        PatchMath.Prepare(p, center: false, unit: true);
        Assert.Equal(1.0, p.Sum(x => (double)x * x), 6);
        Assert.Equal(-2 / Math.Sqrt(14), p[0], 6);
        float[] zero = [0, 0, 0];
        PatchMath.Prepare(zero, center: true, unit: true);
        Assert.Equal([0f, 0f, 0f], zero);
    }

    /// <summary>Every patch of every image exactly once; chunk by chunk in the images' order; minibatches of at most
    /// <c>batch</c>; the same seed gives the same minibatches.</summary>
    [Fact]
    public void AnEpochHandsOverEveryPatchOnceChunkByChunk()
    {
        var o = new NnlConvOptions { Height = 6, Width = 7, Channels = 3, Window = 3, Filters = 2, PoolWindow = 1, PoolStride = 1 }.Validate();
        var images = Images(11, o, 2);
        int[] order = [3, 10, 0, 7, 1, 2, 9, 4, 8, 6, 5];
        const int chunk = 4, batch = 7;
        List<float[]> Run(int seed)
        {
            var rows = new List<float[]>();
            var timing = PatchFeed.Epoch(new PatchSource(images, order, o, chunk, batch, center: false, unit: false, new Random(seed)), v =>
            {
                Assert.InRange(v.Rows, 1, batch);
                for (int r = 0; r < v.Rows; r++) rows.Add(v.Row(r).ToArray());
            }, depth: 2);
            Assert.True(timing.Waited >= 0 && timing.Making >= 0);
            return rows;
        }
        var got = Run(5);
        Assert.Equal(order.Length * o.Positions, got.Count);
        // Which image each patch came from: its first value is unique to (image, position) with random pixels.
        var source = new Dictionary<float, int>();
        var patch = new float[o.PatchSize];
        for (int b = 0; b < images.Rows; b++)
            for (int p = 0; p < o.Positions; p++)
            {
                PatchMath.Copy(o, images.Row(b), p, patch);
                source.Add(patch[0] + 1000f * patch[1], b);
            }
        var from = got.Select(r => source[r[0] + 1000f * r[1]]).ToArray();
        for (int ch = 0; ch * chunk < order.Length; ch++)
        {
            var expected = order.Skip(ch * chunk).Take(chunk).SelectMany(b => Enumerable.Repeat(b, o.Positions)).Order();
            Assert.Equal(expected, from.Skip(ch * chunk * o.Positions).Take(Math.Min(chunk, order.Length - ch * chunk) * o.Positions).Order());
        }
        Assert.Equal(order.Length * o.Positions, got.Select(r => string.Join(",", r)).Distinct().Count());
        var again = Run(5);
        Assert.True(got.Zip(again).All(t => t.First.SequenceEqual(t.Second)));
        Assert.False(got.Zip(Run(6)).All(t => t.First.SequenceEqual(t.Second)));
    }

    /// <summary>The source's order is Random.Shuffle of each chunk's (image, position) list, from the given generator;
    /// minibatches are cut within a chunk; rows filled in pieces equal rows filled at once; after the last minibatch
    /// Next() keeps returning 0.</summary>
    [Fact]
    public void TheSourceShufflesEachChunkAsRandomShuffleAndFillsInPieces()
    {
        var o = new NnlConvOptions { Height = 5, Width = 6, Channels = 2, Window = 2, Filters = 2, PoolWindow = 1, PoolStride = 1 }.Validate();
        var images = Images(7, o, 4);
        int[] order = [6, 2, 5, 0, 1, 3, 4];
        const int chunk = 3, batch = 8;
        int n = o.PatchSize, positions = o.Positions;
        var expected = new List<float[]>();
        var rng = new Random(9);
        for (int start = 0; start < order.Length; start += chunk)
        {
            int count = Math.Min(chunk, order.Length - start) * positions;
            var ids = Enumerable.Range(0, count).ToArray();
            rng.Shuffle(ids);
            foreach (int id in ids)
            {
                var patch = new float[n];
                PatchMath.Copy(o, images.Row(order[start + id / positions]), id % positions, patch);
                PatchMath.Prepare(patch, center: true, unit: true);
                expected.Add(patch);
            }
        }
        var source = new PatchSource(images, order, o, chunk, batch, center: true, unit: true, new Random(9));
        var got = new List<float[]>();
        var whole = new float[batch * n];
        var pieces = new float[batch * n];
        int sizes = 0;
        for (int rows; (rows = source.Next()) > 0;)
        {
            Assert.InRange(rows, 1, batch);
            source.Fill(0, rows, whole);
            source.Fill(rows / 2, rows, pieces);
            source.Fill(0, rows / 2, pieces);
            Assert.Equal(whole.AsSpan(0, rows * n).ToArray(), pieces.AsSpan(0, rows * n).ToArray());
            for (int r = 0; r < rows; r++) got.Add(whole.AsSpan(r * n, n).ToArray());
            sizes++;
        }
        Assert.Equal(0, source.Next());
        Assert.Equal(expected.Count, got.Count);
        for (int i = 0; i < got.Count; i++) Assert.Equal(expected[i], got[i]);
        // Three chunks of 3, 3 and 1 images (60, 60, 20 patches) in minibatches of 8: 8 + 8 + 3 steps.
        Assert.Equal(19, sizes);
    }

    [Fact]
    public void AFailingStepStopsTheEpochAndIsRethrown()
    {
        var o = new NnlConvOptions { Height = 8, Width = 8, Channels = 1, Window = 2, Filters = 2, PoolWindow = 1, PoolStride = 1 }.Validate();
        var images = Images(50, o, 3);
        int steps = 0;
        var ex = Assert.Throws<InvalidOperationException>(() => PatchFeed.Epoch(new PatchSource(images, [.. Enumerable.Range(0, 50)], o, 5, 10, true, true, new Random(1)), _ =>
        {
            if (++steps == 3) throw new InvalidOperationException("step failed");
        }));
        Assert.Equal("step failed", ex.Message);
        Assert.Equal(3, steps);
    }

    [Fact]
    public void BadArgumentsAreRefusedByName()
    {
        var o = new NnlConvOptions { Height = 8, Width = 8, Channels = 1, Window = 2, Filters = 2, PoolWindow = 1, PoolStride = 1 }.Validate();
        var images = Images(4, o, 3);
        Assert.Equal("order", Assert.Throws<ArgumentOutOfRangeException>(() => new PatchSource(images, [0, 4], o, 2, 2, false, false, new Random(1))).ParamName);
        Assert.Equal("chunk", Assert.Throws<ArgumentOutOfRangeException>(() => new PatchSource(images, [0], o, 0, 2, false, false, new Random(1))).ParamName);
        Assert.Equal("batch", Assert.Throws<ArgumentOutOfRangeException>(() => new PatchSource(images, [0], o, 1, 0, false, false, new Random(1))).ParamName);
        Assert.Equal("images", Assert.Throws<ArgumentException>(() => new PatchSource(new Matrix(2, 10), [0], o, 1, 1, false, false, new Random(1))).ParamName);
        var source = new PatchSource(images, [0, 1], o, 1, 5, false, false, new Random(1));
        Assert.Equal(5, source.Next());
        var rows = new float[5 * o.PatchSize];
        Assert.Throws<ArgumentOutOfRangeException>(() => source.Fill(3, 6, rows));
        Assert.Equal("depth", Assert.Throws<ArgumentOutOfRangeException>(() => PatchFeed.Epoch(source, _ => { }, depth: 0)).ParamName);
    }
}

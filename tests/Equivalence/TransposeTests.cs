using Hebb.Accelerated.Backends.Cpu;
using Xunit;

namespace Hebb.Tests.Equivalence;

/// <summary>The cpu backend's transpose (8 x 8 register blocks and the edges) against the definition, dst[j * rows + i]
/// = src[i * cols + j], on shapes with and without edges in each direction and the CSNN layer's own (a score block of
/// D-CSNN's first layer, 1,024 positions x 432 channels, and back).</summary>
public class TransposeTests
{
    public static TheoryData<int, int> Shapes()
    {
        var d = new TheoryData<int, int>();
        foreach (int rows in new[] { 1, 3, 7, 8, 9, 16, 17, 27 })
            foreach (int cols in new[] { 1, 5, 8, 9, 24, 31 })
                d.Add(rows, cols);
        d.Add(1024, 432);
        d.Add(432, 1024);
        return d;
    }

    [Theory, MemberData(nameof(Shapes))]
    public void MatchesTheDefinition(int rows, int cols)
    {
        var rng = new Random(rows * 1000 + cols);
        var src = Enumerable.Range(0, rows * cols).Select(_ => (float)rng.NextDouble()).ToArray();
        var dst = new float[rows * cols + 1];
        dst[^1] = 42f;
        Transpose.Matrix(src, dst, rows, cols);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                Assert.True(dst[j * rows + i] == src[i * cols + j], $"({i}, {j}): {dst[j * rows + i]} where {src[i * cols + j]}");
        Assert.Equal(42f, dst[^1]);
    }

    [Fact]
    public void RefusesBuffersTooShort()
    {
        var e = Assert.Throws<ArgumentException>(() => Transpose.Matrix(new float[11], new float[12], 3, 4));
        Assert.Equal("src", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => Transpose.Matrix(new float[12], new float[11], 3, 4));
        Assert.Equal("dst", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Transpose.Matrix(new float[12], new float[12], -1, 4));
    }
}

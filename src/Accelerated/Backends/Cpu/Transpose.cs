using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Hebb.Accelerated.Backends.Cpu;

/// <summary>
/// The transpose of a row-major matrix: dst[j * rows + i] = src[i * cols + j]. With AVX, 8 x 8 blocks through
/// registers (eight rows loaded, unpacked and permuted, eight columns stored), the edges one element at a time;
/// without it, one element at a time in 8 x 8 tiles. One line after another strides through the other side's
/// memory a line apart, and a line of 4 KB (1,024 floats) maps every such access to the same cache set: the blocks
/// touch 8 lines on each side at a time (docs/PERFORMANCE.md).
/// </summary>
public static class Transpose
{
    const int B = 8;

    /// <summary>src (rows x cols, row-major) into dst (cols x rows, row-major).</summary>
    public static void Matrix(ReadOnlySpan<float> src, Span<float> dst, int rows, int cols)
    {
        if (rows < 0) throw new ArgumentOutOfRangeException(nameof(rows), rows, "rows must be >= 0");
        if (cols < 0) throw new ArgumentOutOfRangeException(nameof(cols), cols, "cols must be >= 0");
        if (src.Length < (long)rows * cols) throw new ArgumentException($"src has {src.Length} values; rows x cols = {(long)rows * cols} needed", nameof(src));
        if (dst.Length < (long)rows * cols) throw new ArgumentException($"dst has {dst.Length} values; rows x cols = {(long)rows * cols} needed", nameof(dst));
        int fullRows = rows - rows % B, fullCols = cols - cols % B;
        for (int i0 = 0; i0 < fullRows; i0 += B)
        {
            for (int j0 = 0; j0 < fullCols; j0 += B)
                if (Avx.IsSupported) Block(src, dst, rows, cols, i0, j0);
                else Elements(src, dst, rows, cols, i0, i0 + B, j0, j0 + B);
            Elements(src, dst, rows, cols, i0, i0 + B, fullCols, cols);
        }
        Elements(src, dst, rows, cols, fullRows, rows, 0, cols);
    }

    /// <summary>Rows [i0, i1) by columns [j0, j1), one element at a time.</summary>
    static void Elements(ReadOnlySpan<float> src, Span<float> dst, int rows, int cols, int i0, int i1, int j0, int j1)
    {
        for (int i = i0; i < i1; i++)
            for (int j = j0; j < j1; j++) dst[j * rows + i] = src[i * cols + j];
    }

    /// <summary>The 8 x 8 block at (i0, j0) through AVX registers: pairs of rows interleaved (unpack), then pairs of
    /// those (shuffle), then the 128-bit halves exchanged, leaving column j0 + t in register t.</summary>
    static void Block(ReadOnlySpan<float> src, Span<float> dst, int rows, int cols, int i0, int j0)
    {
        var r0 = Row(src, i0 * cols + j0); var r1 = Row(src, (i0 + 1) * cols + j0);
        var r2 = Row(src, (i0 + 2) * cols + j0); var r3 = Row(src, (i0 + 3) * cols + j0);
        var r4 = Row(src, (i0 + 4) * cols + j0); var r5 = Row(src, (i0 + 5) * cols + j0);
        var r6 = Row(src, (i0 + 6) * cols + j0); var r7 = Row(src, (i0 + 7) * cols + j0);
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(u0, u4, 0x20).CopyTo(dst.Slice((j0 + 0) * rows + i0, B));
        Avx.Permute2x128(u1, u5, 0x20).CopyTo(dst.Slice((j0 + 1) * rows + i0, B));
        Avx.Permute2x128(u2, u6, 0x20).CopyTo(dst.Slice((j0 + 2) * rows + i0, B));
        Avx.Permute2x128(u3, u7, 0x20).CopyTo(dst.Slice((j0 + 3) * rows + i0, B));
        Avx.Permute2x128(u0, u4, 0x31).CopyTo(dst.Slice((j0 + 4) * rows + i0, B));
        Avx.Permute2x128(u1, u5, 0x31).CopyTo(dst.Slice((j0 + 5) * rows + i0, B));
        Avx.Permute2x128(u2, u6, 0x31).CopyTo(dst.Slice((j0 + 6) * rows + i0, B));
        Avx.Permute2x128(u3, u7, 0x31).CopyTo(dst.Slice((j0 + 7) * rows + i0, B));

        static Vector256<float> Row(ReadOnlySpan<float> src, int at) => Vector256.Create(src.Slice(at, B));
    }
}

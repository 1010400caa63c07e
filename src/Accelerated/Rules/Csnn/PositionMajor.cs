using Hebb.Accelerated.Backends.Cpu;
using Hebb.Contracts;

namespace Hebb.Accelerated.Rules.Csnn;

/// <summary>
/// The cpu CSNN layer's inner layout: patches, weights and input masks position-major (element pos * C + c: a
/// kernel position's C channels side by side) where the contracts and the reference are channel-major (element
/// c * K*K + pos). A dot product is the same sum in either order, so the layer scores and learns in this one: a
/// patch is then K runs of K*C floats of the image laid out the same way (not C*K runs of K), and a mask between
/// layers (one coefficient per channel, eq. 9) meets each kernel position's weights as one vector of C.
/// </summary>
static class PositionMajor
{
    /// <summary>One row from channel-major (c * positions + pos) into position-major (pos * channels + c): a patch's
    /// elements (positions = K*K), or an image's (positions = H*W: channels-first into channels-last). The row is a
    /// channels x positions matrix, and this its transpose.</summary>
    public static void FromChannelMajor(ReadOnlySpan<float> src, Span<float> dst, int channels, int positions) =>
        Transpose.Matrix(src, dst, channels, positions);

    /// <summary>The inverse of <see cref="FromChannelMajor"/>: the same transposition with the two roles swapped (the
    /// position-major row read as <paramref name="positions"/> lines of <paramref name="channels"/>).</summary>
    public static void ToChannelMajor(ReadOnlySpan<float> src, Span<float> dst, int channels, int positions) =>
        FromChannelMajor(src, dst, positions, channels);

    /// <summary>Every row of <paramref name="rows"/> (each <paramref name="channels"/> x <paramref name="positions"/>)
    /// converted one way or the other into a new array.</summary>
    public static float[] Rows(ReadOnlySpan<float> rows, int channels, int positions, bool toPositionMajor)
    {
        int n = channels * positions;
        var (lines, length) = toPositionMajor ? (channels, positions) : (positions, channels);
        var result = new float[rows.Length];
        for (int r = 0; r < rows.Length / n; r++) FromChannelMajor(rows.Slice(r * n, n), result.AsSpan(r * n, n), lines, length);
        return result;
    }

    /// <summary>The patch at output <paramref name="position"/> of an image laid out channels-last (H x W x C), into
    /// <paramref name="dst"/> position-major (K*K*C): zero where the kernel reaches the padding.</summary>
    public static void Patch(CsnnOptions o, ReadOnlySpan<float> image, int position, Span<float> dst)
    {
        int k = o.Kernel, c = o.Channels, run = k * c;
        int y0 = position / o.OutWidth * o.Stride - o.Padding, x0 = position % o.OutWidth * o.Stride - o.Padding;
        // The kernel's columns inside the image: [from, to) of 0..K.
        int from = Math.Max(0, -x0), to = Math.Min(k, o.Width - x0);
        for (int dy = 0; dy < k; dy++)
        {
            var d = dst.Slice(dy * run, run);
            int y = y0 + dy;
            if (y < 0 || y >= o.Height || from >= to) { d.Clear(); continue; }
            d[..(from * c)].Clear();
            image.Slice((y * o.Width + x0 + from) * c, (to - from) * c).CopyTo(d[(from * c)..]);
            d[(to * c)..].Clear();
        }
    }
}

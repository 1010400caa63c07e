using System.Numerics.Tensors;
using Hebb.Accelerated.Backends.Cpu;
using Hebb.Contracts;

namespace Hebb.Accelerated.Rules.Csnn;

/// <summary>The rest of a CSNN block on the CPU after the layer's scores (section III-F; reference:
/// Hebb.Reference.Csnn.batchNorm, maxPoolSame): each channel normalized, then max pooled with padding "same".</summary>
static class CsnnBlock
{
    /// <summary>
    /// Each image's scores, position-major as the cpu layer makes them (Positions x OutChannels, image after image in
    /// <paramref name="scores"/>), into B x EncodedFeatures block outputs, channel-major (the contracts' layout), in
    /// parallel over images. Each window's largest score is found first, all channels at once (a position's channels lie
    /// side by side), and then normalized: x -&gt; (x - mean) * scale rounds to a non-decreasing function of x for scale
    /// &gt; 0 (CsnnNormalization.CheckFor makes it so), so this is the maximum of the normalized scores, to the bit, with
    /// one normalization per output instead of one per score. The pooled block is transposed last: a quarter of the
    /// scores, where transposing them first moved all of them.
    /// </summary>
    public static Matrix NormPool(float[] scores, int images, CsnnOptions o, CsnnNormalization norm)
    {
        int s = o.Pool, h = o.OutHeight, w = o.OutWidth, ph = o.PooledHeight, pw = o.PooledWidth, channels = o.OutChannels;
        int top = (ph * s - h) / 2, left = (pw * s - w) / 2, block = o.Positions * channels, pooled = ph * pw * channels;
        var scale = new float[channels];
        for (int c = 0; c < channels; c++) scale[c] = norm.Scale(c);
        var z = new Matrix(images, o.EncodedFeatures);
        Parallel.For(0, images, b =>
        {
            var y = scores.AsSpan(b * block, block);
            var p = Pooled(pooled);
            for (int oy = 0; oy < ph; oy++)
            {
                // The window's rows and columns inside the plane: padded cells never win.
                int y0 = Math.Max(oy * s - top, 0), y1 = Math.Min(oy * s - top + s, h);
                for (int ox = 0; ox < pw; ox++)
                {
                    int x0 = Math.Max(ox * s - left, 0), x1 = Math.Min(ox * s - left + s, w);
                    var best = p.Slice((oy * pw + ox) * channels, channels);
                    best.Fill(float.NegativeInfinity);
                    for (int yy = y0; yy < y1; yy++)
                        for (int xx = x0; xx < x1; xx++) TensorPrimitives.Max(best, y.Slice((yy * w + xx) * channels, channels), best);
                    TensorPrimitives.Subtract(best, norm.Mean, best);
                    TensorPrimitives.Multiply(best, scale, best);
                }
            }
            Transpose.Matrix(p, z.Row(b), ph * pw, channels);
        });
        return z;
    }

    /// <summary>A pooled block's worth of scratch for the calling thread.</summary>
    static Span<float> Pooled(int length)
    {
        if (t_pooled is null || t_pooled.Length < length) t_pooled = new float[length];
        return t_pooled.AsSpan(0, length);
    }

    [ThreadStatic] static float[]? t_pooled;
}

using Hebb.Contracts;

namespace Hebb.Accelerated.Rules.Csnn;

/// <summary>The rest of a CSNN block on the CPU after the layer's scores (section III-F; reference:
/// Hebb.Reference.Csnn.batchNorm, maxPoolSame): each channel normalized, then max pooled with padding "same".</summary>
static class CsnnBlock
{
    /// <summary>B x Features scores (channel-major) into B x EncodedFeatures block outputs, in parallel over images and
    /// channels. Each window's largest score is found first and then normalized: x -> (x - mean) * scale rounds to a
    /// non-decreasing function of x for scale > 0 (CsnnNormalization.CheckFor makes it so), so this is the maximum of
    /// the normalized scores, to the bit, with one normalization per output instead of one per score.</summary>
    public static Matrix NormPool(Matrix y, CsnnOptions o, CsnnNormalization norm)
    {
        int s = o.Pool, h = o.OutHeight, w = o.OutWidth, ph = o.PooledHeight, pw = o.PooledWidth;
        int top = (ph * s - h) / 2, left = (pw * s - w) / 2;
        var z = new Matrix(y.Rows, o.EncodedFeatures);
        Parallel.For(0, y.Rows * o.OutChannels, bc =>
        {
            int b = bc / o.OutChannels, c = bc % o.OutChannels;
            float mean = norm.Mean[c], scale = norm.Scale(c);
            var plane = y.Row(b).Slice(c * h * w, h * w);
            var outPlane = z.Row(b).Slice(c * ph * pw, ph * pw);
            for (int oy = 0; oy < ph; oy++)
            {
                // The window's rows and columns inside the plane: padded cells never win.
                int y0 = Math.Max(oy * s - top, 0), y1 = Math.Min(oy * s - top + s, h);
                for (int ox = 0; ox < pw; ox++)
                {
                    int x0 = Math.Max(ox * s - left, 0), x1 = Math.Min(ox * s - left + s, w);
                    float best = float.NegativeInfinity;
                    for (int yy = y0; yy < y1; yy++)
                    {
                        var line = plane.Slice(yy * w + x0, x1 - x0);
                        foreach (float v in line) best = MathF.Max(best, v);
                    }
                    outPlane[oy * pw + ox] = (best - mean) * scale;
                }
            }
        });
        return z;
    }
}

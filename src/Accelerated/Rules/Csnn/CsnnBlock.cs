using Hebb.Contracts;

namespace Hebb.Accelerated.Rules.Csnn;

/// <summary>The rest of a CSNN block on the CPU after the layer's scores (section III-F; reference:
/// Hebb.Reference.Csnn.batchNorm, maxPoolSame): each channel normalized, then max pooled with padding "same".</summary>
static class CsnnBlock
{
    /// <summary>B x Features scores (channel-major) into B x EncodedFeatures block outputs, in parallel over images and
    /// channels.</summary>
    public static Matrix NormPool(Matrix y, CsnnOptions o, CsnnNormalization norm)
    {
        int s = o.Pool, h = o.OutHeight, w = o.OutWidth, ph = o.PooledHeight, pw = o.PooledWidth;
        int top = (ph * s - h) / 2, left = (pw * s - w) / 2;
        var z = new Matrix(y.Rows, o.EncodedFeatures);
        Parallel.For(0, y.Rows * o.OutChannels, bc =>
        {
            int b = bc / o.OutChannels, c = bc % o.OutChannels;
            var src = y.Row(b);
            var dst = z.Row(b);
            float mean = norm.Mean[c], scale = norm.Scale(c);
            var plane = src.Slice(c * h * w, h * w);
            var outPlane = dst.Slice(c * ph * pw, ph * pw);
            for (int oy = 0; oy < ph; oy++)
                for (int ox = 0; ox < pw; ox++)
                {
                    float best = float.NegativeInfinity;
                    for (int dy = 0; dy < s; dy++)
                    {
                        int yy = oy * s + dy - top;
                        if ((uint)yy >= (uint)h) continue;
                        for (int dx = 0; dx < s; dx++)
                        {
                            int xx = ox * s + dx - left;
                            if ((uint)xx < (uint)w) best = MathF.Max(best, (plane[yy * w + xx] - mean) * scale);
                        }
                    }
                    outPlane[oy * pw + ox] = best;
                }
        });
        return z;
    }
}

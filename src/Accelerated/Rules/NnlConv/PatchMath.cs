using System.Numerics.Tensors;
using Hebb.Contracts;

namespace Hebb.Accelerated.Rules.NnlConv;

/// <summary>NNL-CONV's patches in float32 (Grinberg, Hopfield &amp; Krotov, section 2): one cut out of an image, and one made
/// ready as the layer sees it. Reference: Hebb.Reference.NnlConv.patch, unitPatch, centerPatch.</summary>
public static class PatchMath
{
    /// <summary>Copies the patch at <paramref name="position"/> (row-major over <paramref name="o"/>'s OutHeight x OutWidth grid) of one image
    /// (channel-major, Height x Width x Channels) into <paramref name="dst"/> (PatchSize values, channel-major): for each
    /// channel and patch row, the run of Window pixels is copied whole when it lies inside the image, else pixel by
    /// pixel with zeros for the padding.</summary>
    public static void Copy(NnlConvOptions o, ReadOnlySpan<float> image, int position, Span<float> dst)
    {
        int win = o.Window, plane = o.Height * o.Width;
        int oy = position / o.OutWidth, ox = position % o.OutWidth;
        int x0 = ox * o.Stride - o.Padding, y0 = oy * o.Stride - o.Padding;
        bool inside = x0 >= 0 && x0 + win <= o.Width;
        for (int c = 0; c < o.Channels; c++)
            for (int dy = 0; dy < win; dy++)
            {
                int y = y0 + dy;
                var d = dst.Slice((c * win + dy) * win, win);
                if (y < 0 || y >= o.Height) { d.Clear(); continue; }
                var src = image.Slice(c * plane + y * o.Width, o.Width);
                if (inside)
                    for (int dx = 0; dx < d.Length; dx++) d[dx] = src[x0 + dx];   // a loop: faster than a call to copy a few floats
                else
                    for (int dx = 0; dx < win; dx++)
                    {
                        int x = x0 + dx;
                        d[dx] = x < 0 || x >= o.Width ? 0f : src[x];
                    }
            }
    }

    /// <summary>In place, as an NNL-CONV layer sees a patch: minus its own mean (if <paramref name="center"/>), then
    /// scaled to unit length (if <paramref name="unit"/>, patch normalization; a zero patch stays zero). Float32
    /// throughout; the cpu layer and the patches the filters learn from both go through here.</summary>
    public static void Prepare(Span<float> patch, bool center, bool unit)
    {
        if (center) TensorPrimitives.Subtract(patch, TensorPrimitives.Sum(patch) / patch.Length, patch);
        if (!unit) return;
        float norm = TensorPrimitives.Norm(patch);
        if (norm > 0f) TensorPrimitives.Multiply(patch, 1f / norm, patch);
    }
}

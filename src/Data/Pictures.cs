using Hebb.Contracts;

namespace Hebb.Data;

/// <summary>Pictures of what a rule learned.</summary>
public static class Pictures
{
    /// <summary>
    /// A grid of filters in the style of Krotov &amp; Hopfield's Fig. 3: each filter scaled by its own largest
    /// |weight|; red positive, blue negative, white zero. Grey filters (channels = 1) use that diverging map;
    /// colour filters (channels = 3, channel-major) are shown as RGB, each mapped from [-max, max] to [0, 255];
    /// with <paramref name="negativesBlack"/> as Grinberg et al.'s Fig. 1 shows them instead: [0, max] to [0, 255],
    /// "black color corresponds to synaptic weights that are either equal to zero, or negative".
    /// </summary>
    public static void FilterGrid(string path, Matrix weights, int height, int width, int channels, int count, int columns, int scale = 3,
                                  bool negativesBlack = false)
    {
        var (imgW, imgH, rgb) = RenderFilterGrid(weights, height, width, channels, count, columns, scale, negativesBlack);
        Png.Write(path, imgW, imgH, rgb);
    }

    /// <summary>The pixels of <see cref="FilterGrid"/>: width, height and RGB bytes row by row.</summary>
    public static (int Width, int Height, byte[] Rgb) RenderFilterGrid(Matrix weights, int height, int width, int channels, int count, int columns,
                                                                       int scale = 3, bool negativesBlack = false)
    {
        count = Math.Min(count, weights.Rows);
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), count, "at least one filter is needed");
        if (weights.Cols != height * width * channels)
            throw new ArgumentException($"weights have {weights.Cols} columns; {height}x{width}x{channels} filters need {height * width * channels}", nameof(weights));
        columns = Math.Clamp(columns, 1, count);
        int rows = (count + columns - 1) / columns, gap = 1;
        int cellW = width * scale + gap, cellH = height * scale + gap;
        int imgW = columns * cellW + gap, imgH = rows * cellH + gap;
        var rgb = new byte[imgW * imgH * 3];
        Array.Fill(rgb, (byte)64); // dark grey between cells
        for (int f = 0; f < count; f++)
        {
            var row = weights.Row(f);
            float max = 1e-30f;
            foreach (var x in row) max = MathF.Max(max, MathF.Abs(x));
            int ox = gap + (f % columns) * cellW, oy = gap + (f / columns) * cellH;
            for (int y = 0; y < height * scale; y++)
                for (int x = 0; x < width * scale; x++)
                {
                    int pix = (y / scale) * width + x / scale;
                    int o = ((oy + y) * imgW + ox + x) * 3;
                    if (channels == 1)
                    {
                        float t = row[pix] / max; // -1..1
                        byte fade = (byte)(255 * (1 - MathF.Abs(t)));
                        (rgb[o], rgb[o + 1], rgb[o + 2]) = t >= 0 ? ((byte)255, fade, fade) : (fade, fade, (byte)255);
                    }
                    else
                        for (int c = 0; c < 3; c++)
                        {
                            float t = row[c * height * width + pix] / max;
                            rgb[o + c] = (byte)Math.Clamp(negativesBlack ? 255f * t : 127.5f * (1 + t), 0, 255);
                        }
                }
        }
        return (imgW, imgH, rgb);
    }
}

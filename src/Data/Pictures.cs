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
        var max = new float[count];
        for (int f = 0; f < count; f++)
        {
            max[f] = 1e-30f;
            foreach (var x in weights.Row(f)) max[f] = MathF.Max(max[f], MathF.Abs(x));
        }
        return Tiles(count, height, width, columns, scale, (f, pix, dst) =>
        {
            var row = weights.Row(f);
            if (channels == 1)
            {
                float t = row[pix] / max[f]; // -1..1
                byte fade = (byte)(255 * (1 - MathF.Abs(t)));
                (dst[0], dst[1], dst[2]) = t >= 0 ? ((byte)255, fade, fade) : (fade, fade, (byte)255);
            }
            else
                for (int c = 0; c < 3; c++)
                {
                    float t = row[c * height * width + pix] / max[f];
                    dst[c] = (byte)Math.Clamp(negativesBlack ? 255f * t : 127.5f * (1 + t), 0, 255);
                }
        });
    }

    /// <summary>How a tile's pixel is coloured: tile f, pixel index pix (y * width + x), its three bytes.</summary>
    delegate void Paint(int tile, int pix, Span<byte> rgb);

    /// <summary><paramref name="count"/> tiles of <paramref name="height"/> x <paramref name="width"/> pixels in a grid of
    /// <paramref name="columns"/>, each pixel <paramref name="scale"/> x <paramref name="scale"/>, a one-pixel dark grey
    /// gap around and between them, each pixel coloured by <paramref name="paint"/>.</summary>
    static (int Width, int Height, byte[] Rgb) Tiles(int count, int height, int width, int columns, int scale, Paint paint)
    {
        columns = Math.Clamp(columns, 1, count);
        int rows = (count + columns - 1) / columns, gap = 1;
        int cellW = width * scale + gap, cellH = height * scale + gap;
        int imgW = columns * cellW + gap, imgH = rows * cellH + gap;
        var rgb = new byte[imgW * imgH * 3];
        Array.Fill(rgb, (byte)64); // dark grey between cells
        for (int f = 0; f < count; f++)
        {
            int ox = gap + (f % columns) * cellW, oy = gap + (f / columns) * cellH;
            for (int y = 0; y < height * scale; y++)
                for (int x = 0; x < width * scale; x++)
                    paint(f, (y / scale) * width + x / scale, rgb.AsSpan(((oy + y) * imgW + ox + x) * 3, 3));
        }
        return (imgW, imgH, rgb);
    }

    /// <summary>Images as they are (rows of pixel / 255, channel-major for colour; grey where channels = 1) in a grid
    /// of <paramref name="columns"/>, each pixel <paramref name="scale"/> x <paramref name="scale"/>: what a probe's
    /// augmented copies look like beside the images they were drawn from.</summary>
    public static void ImageGrid(string path, Matrix images, int height, int width, int channels, int columns, int scale = 3)
    {
        var (imgW, imgH, rgb) = RenderImageGrid(images, height, width, channels, columns, scale);
        Png.Write(path, imgW, imgH, rgb);
    }

    /// <summary>The pixels of <see cref="ImageGrid"/>: width, height and RGB bytes row by row (values clamped to [0, 1]).</summary>
    public static (int Width, int Height, byte[] Rgb) RenderImageGrid(Matrix images, int height, int width, int channels, int columns, int scale = 3)
    {
        if (images.Rows == 0) throw new ArgumentOutOfRangeException(nameof(images), 0, "at least one image is needed");
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "images are grey (1) or RGB (3)");
        if (images.Cols != height * width * channels)
            throw new ArgumentException($"images have {images.Cols} columns; {height}x{width}x{channels} images need {height * width * channels}", nameof(images));
        return Tiles(images.Rows, height, width, columns, scale, (f, pix, dst) =>
        {
            var row = images.Row(f);
            for (int c = 0; c < 3; c++)
                dst[c] = (byte)MathF.Round(255f * Math.Clamp(row[(channels == 1 ? 0 : c) * height * width + pix], 0f, 1f));
        });
    }
}

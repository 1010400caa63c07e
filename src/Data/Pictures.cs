using Hebb.Contracts;

namespace Hebb.Data;

/// <summary>Pictures of what a rule learned.</summary>
public static class Pictures
{
    /// <summary>
    /// A grid of filters in the style of Krotov &amp; Hopfield's Fig. 3: each filter scaled by its own largest
    /// |weight|; red positive, blue negative, white zero. Grey filters (channels = 1) use that diverging map;
    /// colour filters (channels = 3, channel-major) are shown as RGB, each mapped from [-max, max] to [0, 255].
    /// </summary>
    public static void FilterGrid(string path, Matrix weights, int height, int width, int channels, int count, int columns, int scale = 3)
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
                            rgb[o + c] = (byte)Math.Clamp(127.5f * (1 + row[c * height * width + pix] / max), 0, 255);
                }
        }
        Png.Write(path, imgW, imgH, rgb);
    }

    /// <summary>A line chart of one or more series against their index (e.g. error per epoch), on white.</summary>
    public static void Curves(string path, IReadOnlyList<(string Name, double[] Values)> series, int width = 480, int height = 320)
    {
        var rgb = new byte[width * height * 3];
        Array.Fill(rgb, (byte)255);
        var all = series.SelectMany(s => s.Values).Where(double.IsFinite).ToArray();
        if (all.Length == 0) { Png.Write(path, width, height, rgb); return; }
        double lo = Math.Min(0, all.Min()), hi = all.Max() <= lo ? lo + 1 : all.Max();
        int n = Math.Max(2, series.Max(s => s.Values.Length));
        byte[][] colours = [[214, 39, 40], [31, 119, 180], [44, 160, 44], [255, 127, 14]];
        const int m = 20;
        for (int x = m; x < width - m; x++) Set(x, height - m, [0, 0, 0]);
        for (int y = m; y < height - m; y++) Set(m, y, [0, 0, 0]);
        for (int s = 0; s < series.Count; s++)
        {
            var v = series[s].Values;
            for (int i = 1; i < v.Length; i++)
            {
                if (!double.IsFinite(v[i - 1]) || !double.IsFinite(v[i])) continue;
                (int x0, int y0) = (X(i - 1), Y(v[i - 1]));
                (int x1, int y1) = (X(i), Y(v[i]));
                int steps = Math.Max(Math.Abs(x1 - x0), Math.Abs(y1 - y0)) + 1;
                for (int t = 0; t <= steps; t++)
                    for (int d = -1; d <= 1; d++)
                        Set(x0 + (x1 - x0) * t / steps, y0 + (y1 - y0) * t / steps + d, colours[s % colours.Length]);
            }
        }
        Png.Write(path, width, height, rgb);

        int X(int i) => m + (int)((width - 2 * m) * (double)i / (n - 1));
        int Y(double v) => height - m - (int)((height - 2 * m) * (v - lo) / (hi - lo));
        void Set(int x, int y, byte[] c)
        {
            if (x < 0 || y < 0 || x >= width || y >= height) return;
            int o = (y * width + x) * 3;
            rgb[o] = c[0]; rgb[o + 1] = c[1]; rgb[o + 2] = c[2];
        }
    }
}

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

    /// <summary>
    /// A line chart of one or more series against their index (e.g. error per epoch), on white, with the
    /// y axis labelled at its bottom and top and the x axis 1-based at its first and last point (a 3x5 pixel digit font).
    /// Colours in order: red, blue, green, orange.
    /// </summary>
    public static void Curves(string path, IReadOnlyList<(string Name, double[] Values)> series, int width = 480, int height = 320)
    {
        var rgb = new byte[width * height * 3];
        Array.Fill(rgb, (byte)255);
        var all = series.SelectMany(s => s.Values).Where(double.IsFinite).ToArray();
        // The y range is the data's own (labelled), so that small changes near the top stay visible.
        double lo = all.Length == 0 ? 0 : all.Min();
        double hi = all.Length == 0 ? 1 : all.Max();
        if (hi - lo < 1e-12 * Math.Max(1, Math.Abs(hi))) { lo -= 0.5; hi += 0.5; }
        int n = Math.Max(2, series.Max(s => s.Values.Length));
        byte[][] colours = [[214, 39, 40], [31, 119, 180], [44, 160, 44], [255, 127, 14]];
        byte[] black = [0, 0, 0], grey = [200, 200, 200];
        const int left = 50, right = 10, top = 12, bottom = 24;
        int X(int i) => left + (int)((width - left - right) * (double)i / (n - 1));
        int Y(double v) => height - bottom - (int)((height - top - bottom) * (v - lo) / (hi - lo));
        void Set(int x, int y, byte[] c)
        {
            if (x < 0 || y < 0 || x >= width || y >= height) return;
            int o = (y * width + x) * 3;
            rgb[o] = c[0]; rgb[o + 1] = c[1]; rgb[o + 2] = c[2];
        }
        for (int q = 1; q <= 4; q++)
            for (int x = left; x < width - right; x += 3) Set(x, Y(lo + (hi - lo) * q / 4), grey);
        for (int x = left; x < width - right; x++) Set(x, height - bottom, black);
        for (int y = top; y <= height - bottom; y++) Set(left, y, black);
        Text(Label(hi), 2, Y(hi) - 5);
        Text(Label(lo), 2, Y(lo) - 5);
        // x is labelled 1-based: the series are per epoch, and epoch 1 is the first point.
        Text(n.ToString(System.Globalization.CultureInfo.InvariantCulture), X(n - 1) - 12, height - bottom + 6);
        Text("1", left - 2, height - bottom + 6);
        for (int s = 0; s < series.Count; s++)
        {
            var v = series[s].Values;
            if (v.Length == 1 && double.IsFinite(v[0]))
                for (int d = -2; d <= 2; d++) { Set(X(0) + d, Y(v[0]), colours[s % colours.Length]); Set(X(0), Y(v[0]) + d, colours[s % colours.Length]); }
            for (int i = 1; i < v.Length; i++)
            {
                if (!double.IsFinite(v[i - 1]) || !double.IsFinite(v[i])) continue;
                (int x0, int y0, int x1, int y1) = (X(i - 1), Y(v[i - 1]), X(i), Y(v[i]));
                int steps = Math.Max(Math.Abs(x1 - x0), Math.Abs(y1 - y0)) + 1;
                for (int t = 0; t <= steps; t++)
                    for (int d = -1; d <= 1; d++)
                        Set(x0 + (x1 - x0) * t / steps, y0 + (y1 - y0) * t / steps + d, colours[s % colours.Length]);
            }
        }
        Png.Write(path, width, height, rgb);

        void Text(string text, int x, int y)
        {
            foreach (char ch in text)
            {
                if (Glyphs.TryGetValue(ch, out var rows))
                    for (int r = 0; r < 5; r++)
                        for (int c = 0; c < 3; c++)
                            if ((rows[r] >> (2 - c) & 1) != 0)
                                for (int dy = 0; dy < 2; dy++) for (int dx = 0; dx < 2; dx++) Set(x + 2 * c + dx, y + 2 * r + dy, black);
                x += 8;
            }
        }
    }

    static string Label(double v) => Math.Abs(v) >= 1000 || (v != 0 && Math.Abs(v) < 0.001)
        ? v.ToString("0.0e0", System.Globalization.CultureInfo.InvariantCulture)
        : v.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>3x5 pixel glyphs, one row a number, the leftmost pixel the highest of three bits.</summary>
    static readonly Dictionary<char, int[]> Glyphs = new()
    {
        ['0'] = [7, 5, 5, 5, 7], ['1'] = [2, 6, 2, 2, 7], ['2'] = [7, 1, 7, 4, 7], ['3'] = [7, 1, 7, 1, 7],
        ['4'] = [5, 5, 7, 1, 1], ['5'] = [7, 4, 7, 1, 7], ['6'] = [7, 4, 7, 5, 7], ['7'] = [7, 1, 1, 1, 1],
        ['8'] = [7, 5, 7, 5, 7], ['9'] = [7, 5, 7, 1, 7], ['.'] = [0, 0, 0, 0, 2], ['-'] = [0, 0, 7, 0, 0],
        ['e'] = [0, 7, 7, 4, 7], ['%'] = [5, 1, 2, 4, 5],
    };
}

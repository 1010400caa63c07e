using Hebb.Contracts;
using Hebb.Data;

namespace Hebb.Runs;

/// <summary>
/// CSNN Fig. 6 (c, d): each layer's class-average representation on its SOM grids. For every image, each neuron's
/// block output averaged over the positions; averaged over the images of each class; one tile per class with the
/// grid's neurons as cells and map h as colour channel h (three maps as one RGB image, each map scaled by its own
/// range over all classes); classes ordered by their L1 distance from the first class.
/// </summary>
public static class ClassMaps
{
    const int Cell = 8;

    /// <summary>Writes class-maps-layer-L.png for every layer of <paramref name="model"/> from
    /// <paramref name="images"/> (normalized input) and their labels; returns the report's paragraph.</summary>
    public static string Write(string outDir, CsnnModel model, Matrix images, int[] labels, string[] classNames)
    {
        int layers = model.Layers.Count, classes = classNames.Length;
        var sums = model.Layers.Select(l => new double[classes, l.Options.OutChannels]).ToArray();
        var counts = new int[classes];
        foreach (int y in labels) counts[y]++;
        for (int at = 0; at < images.Rows; at += 64)
        {
            int b = Math.Min(64, images.Rows - at);
            var x = images.SliceRows(at, b);
            for (int l = 0; l < layers; l++)
            {
                var o = model.Layers[l].Options;
                x = model.Layers[l].Encode(x, model.Norms[l]!);
                var means = new double[o.OutChannels];
                for (int r = 0; r < b; r++)
                {
                    CsnnModel.ChannelMeans(o, x.Row(r), means);
                    for (int c = 0; c < o.OutChannels; c++) sums[l][labels[at + r], c] += means[c];
                }
            }
        }
        var text = new System.Text.StringBuilder();
        text.Append($"`class-maps-layer-L.png` (Fig. 6 c, d): layer L's block outputs averaged over positions and over the {images.Rows:N0} first test images of each class, one tile per class on the grid, map h as colour h (each map scaled by its range over the classes); the classes ordered by L1 distance from {classNames[0]}:\n");
        for (int l = 0; l < layers; l++)
        {
            var o = model.Layers[l].Options;
            var avg = new double[classes][];
            for (int k = 0; k < classes; k++) avg[k] = [.. Enumerable.Range(0, o.OutChannels).Select(c => counts[k] == 0 ? 0 : sums[l][k, c] / counts[k])];
            var distance = avg.Select(v => v.Zip(avg[0], (p, q) => Math.Abs(p - q)).Sum()).ToArray();
            var order = Enumerable.Range(0, classes).OrderBy(k => distance[k]).ToArray();
            Render(Path.Combine(outDir, $"class-maps-layer-{l + 1}.png"), o, [.. order.Select(k => avg[k])]);
            text.Append($"layer {l + 1}: {string.Join(", ", order.Select(k => $"{classNames[k]} ({distance[k]:F0})"))}.\n");
        }
        return text.ToString();
    }

    static void Render(string path, CsnnOptions o, double[][] tiles)
    {
        int rows = o.GridRows, cols = o.GridCols, k = o.Neurons, gap = 2;
        int tileW = cols * Cell, tileH = rows * Cell;
        int imgW = tiles.Length * (tileW + gap) + gap, imgH = tileH + 2 * gap;
        var rgb = new byte[imgW * imgH * 3];
        Array.Fill(rgb, (byte)64);
        var lo = new double[o.Maps];
        var hi = new double[o.Maps];
        for (int h = 0; h < o.Maps; h++)
        {
            lo[h] = tiles.Min(t => t.Skip(h * k).Take(k).Min());
            hi[h] = tiles.Max(t => t.Skip(h * k).Take(k).Max());
        }
        for (int t = 0; t < tiles.Length; t++)
            for (int y = 0; y < tileH; y++)
                for (int x = 0; x < tileW; x++)
                {
                    int neuron = (y / Cell) * cols + x / Cell;
                    int at = ((gap + y) * imgW + gap + t * (tileW + gap) + x) * 3;
                    for (int c = 0; c < 3; c++)
                    {
                        int h = o.Maps == 1 ? 0 : c;
                        if (h >= o.Maps) { rgb[at + c] = 0; continue; }
                        double v = (tiles[t][h * k + neuron] - lo[h]) / Math.Max(hi[h] - lo[h], 1e-30);
                        rgb[at + c] = (byte)Math.Clamp(255 * v, 0, 255);
                    }
                }
        Png.Write(path, imgW, imgH, rgb);
    }
}

using Hebb.Contracts;
using Hebb.Data;

namespace Hebb.Runs;

/// <summary>
/// A CSNN model (Stuhr &amp; Brauer, section IV-A) on one engine: layers whose blocks (scores, normalization, pooling;
/// <see cref="ICsnnLayer.Encode"/>) feed one another. Layers learn one after another (section III-G): a layer's
/// normalization is fixed once it has learned, from its outputs on training images, and the next learns on its blocks.
/// </summary>
public sealed class CsnnModel(IReadOnlyList<ICsnnLayer> layers) : IDisposable
{
    /// <summary>Images a block encodes at a time (bounds the patch buffers: 64 images of D-CSNN's second layer are about
    /// 250 MB of patches).</summary>
    const int Chunk = 64;

    public IReadOnlyList<ICsnnLayer> Layers { get; } = layers;

    /// <summary>Each layer's normalization, null until the layer has learned.</summary>
    public CsnnNormalization?[] Norms { get; } = new CsnnNormalization?[layers.Count];

    /// <summary>The images through the first <paramref name="count"/> blocks (each normalized and pooled): B x the
    /// last one's EncodedFeatures; the images themselves for 0.</summary>
    public Matrix Encode(Matrix images, int count)
    {
        if (count < 0 || count > Layers.Count) throw new ArgumentOutOfRangeException(nameof(count), count, $"count must be in 0..{Layers.Count}");
        if (count == 0) return images;
        if (images.Rows <= Chunk) return Through(images, count);
        var result = new Matrix(images.Rows, Layers[count - 1].Options.EncodedFeatures);
        for (int at = 0; at < images.Rows; at += Chunk)
        {
            var part = Through(images.SliceRows(at, Math.Min(Chunk, images.Rows - at)), count);
            part.Data.CopyTo(result.Data, (long)at * result.Cols);
        }
        return result;
    }

    Matrix Through(Matrix x, int count)
    {
        for (int l = 0; l < count; l++)
            x = Layers[l].Encode(x, Norms[l] ?? throw new InvalidOperationException($"layer {l + 1} has no normalization yet: it has not learned"));
        return x;
    }

    /// <summary>Layer <paramref name="layer"/>'s normalization of kind <paramref name="kind"/>: for batch norm, the mean
    /// and population variance of each of its output channels over <paramref name="images"/> (through the blocks
    /// before it) and every position, accumulated in float64.</summary>
    public CsnnNormalization Estimate(int layer, Matrix images, CsnnNorm kind)
    {
        var o = Layers[layer].Options;
        if (kind == CsnnNorm.Code) return CsnnNormalization.AuthorsCode(o.OutChannels);
        if (kind == CsnnNorm.None) return CsnnNormalization.None(o.OutChannels);
        var sum = new double[o.OutChannels];
        var sq = new double[o.OutChannels];
        for (int at = 0; at < images.Rows; at += Chunk)
        {
            var x = Encode(images.SliceRows(at, Math.Min(Chunk, images.Rows - at)), layer);
            var y = Layers[layer].Forward(x);
            Parallel.For(0, o.OutChannels, c =>
            {
                double s = 0, q = 0;
                for (int b = 0; b < y.Rows; b++)
                    foreach (float v in y.Row(b).Slice(c * o.Positions, o.Positions)) { s += v; q += (double)v * v; }
                sum[c] += s;
                sq[c] += q;
            });
        }
        double n = (double)images.Rows * o.Positions;
        var mean = new float[o.OutChannels];
        var variance = new float[o.OutChannels];
        for (int c = 0; c < o.OutChannels; c++)
        {
            double m = sum[c] / n;
            mean[c] = (float)m;
            variance[c] = (float)Math.Max(sq[c] / n - m * m, 0);
        }
        return CsnnNormalization.Estimated(mean, variance);
    }

    /// <summary>Layer l's files in a run folder: layer-L/weights-H.npy, masks-H.npy (L from 1), and norm.npy (2 x
    /// channels: the means, then the variances; the epsilon goes into options.json).</summary>
    public void Save(string dir, int layer)
    {
        var l = Layers[layer];
        string d = Path.Combine(dir, $"layer-{layer + 1}");
        Directory.CreateDirectory(d);
        for (int h = 0; h < l.Options.Maps; h++)
        {
            Npy.Write(Path.Combine(d, $"weights-{h}.npy"), l.ReadWeights(h));
            Npy.Write(Path.Combine(d, $"masks-{h}.npy"), l.ReadMasks(h));
        }
        var norm = Norms[layer]!;
        var stats = new Matrix(2, norm.Channels);
        norm.Mean.CopyTo(stats.Row(0));
        norm.Variance.CopyTo(stats.Row(1));
        Npy.Write(Path.Combine(d, "norm.npy"), stats);
    }

    /// <summary>Each channel's block output (<see cref="ICsnnLayer.Encode"/>, one image's row) averaged over its
    /// positions, into <paramref name="means"/> (OutChannels long): what Fig. 6's class maps and the winners read.</summary>
    public static void ChannelMeans(CsnnOptions o, ReadOnlySpan<float> row, Span<double> means)
    {
        int plane = o.PooledHeight * o.PooledWidth;
        for (int c = 0; c < o.OutChannels; c++)
        {
            double s = 0;
            foreach (float v in row.Slice(c * plane, plane)) s += v;
            means[c] = s / plane;
        }
    }

    public void Dispose()
    {
        foreach (var l in Layers) l.Dispose();
    }
}

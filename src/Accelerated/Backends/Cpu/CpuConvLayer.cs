using System.Numerics.Tensors;
using Hebb.Contracts;

namespace Hebb.Accelerated.Backends.Cpu;

/// <summary>
/// The NNL-CONV / CONV layer (Grinberg, Hopfield &amp; Krotov 2019, section 2 and eq. 3) in float32 on the CPU:
/// im2col of the whole batch, rows normalized to unit vectors (NNL-CONV), one GEMM against the filters,
/// max pooling, then ReLU(x)^n on the pooled values (f is non-decreasing, so pooling commutes with it). Reference: Hebb.Reference.Conv.patches / convolve / maxPool / forward.
/// </summary>
public sealed class CpuConvLayer : IConvLayer
{
    readonly IGemm _gemm;
    readonly float[] _m;
    float[] _patches = [], _y = [];

    public ConvOptions Options { get; }

    public CpuConvLayer(IGemm gemm, ConvOptions options, Matrix filters)
    {
        Options = options.Validate();
        Check.State(filters, options.Filters, options.PatchSize, nameof(filters));
        _gemm = gemm;
        _m = (float[])filters.Data.Clone();
    }

    int ImageSize => Options.Height * Options.Width * Options.Channels;

    /// <summary>Writes every patch of one image into <paramref name="p"/> (positions x patch size): for each channel and
    /// patch row, the run of Window pixels is copied whole when it lies inside the image, else pixel by pixel with
    /// zeros for the padding.</summary>
    static void Im2Col(ConvOptions o, ReadOnlySpan<float> img, Span<float> p)
    {
        int n = o.PatchSize, win = o.Window, plane = o.Height * o.Width;
        int row = 0;
        for (int oy = 0; oy < o.OutHeight; oy++)
            for (int ox = 0; ox < o.OutWidth; ox++, row++)
            {
                var dst = p.Slice(row * n, n);
                int x0 = ox * o.Stride - o.Padding;
                bool inside = x0 >= 0 && x0 + win <= o.Width;
                for (int c = 0; c < o.Channels; c++)
                    for (int dy = 0; dy < win; dy++)
                    {
                        int y = oy * o.Stride - o.Padding + dy;
                        var d = dst.Slice((c * win + dy) * win, win);
                        if (y < 0 || y >= o.Height) { d.Clear(); continue; }
                        var src = img.Slice(c * plane + y * o.Width);
                        if (inside) src.Slice(x0, win).CopyTo(d);
                        else
                            for (int dx = 0; dx < win; dx++)
                            {
                                int x = x0 + dx;
                                d[dx] = x < 0 || x >= o.Width ? 0f : src[x];
                            }
                    }
            }
    }

    void AllPatches(Matrix images)
    {
        int per = Options.Positions * Options.PatchSize;
        if (_patches.Length < images.Rows * per) _patches = new float[images.Rows * per];
        var src = images.Data;
        var dst = _patches;
        int size = ImageSize;
        var o = Options;
        Parallel.For(0, images.Rows, b => Im2Col(o, new ReadOnlySpan<float>(src, b * size, size), new Span<float>(dst, b * per, per)));
    }

    public Matrix Patches(Matrix images)
    {
        Check.Batch(images, ImageSize, nameof(images));
        AllPatches(images);
        int rows = images.Rows * Options.Positions;
        return new Matrix(rows, Options.PatchSize, _patches.AsSpan(0, rows * Options.PatchSize).ToArray());
    }

    public Matrix Forward(Matrix images)
    {
        Check.Batch(images, ImageSize, nameof(images));
        var o = Options;
        int bsz = images.Rows, pos = o.Positions, n = o.PatchSize, k = o.Filters, rows = bsz * pos;
        AllPatches(images);
        if (o.PatchNormalization || o.CenterPatches)
        {
            var p = _patches;
            Parallel.For(0, bsz, b =>
            {
                for (int r = b * pos; r < (b + 1) * pos; r++)
                {
                    var v = new Span<float>(p, r * n, n);
                    if (o.CenterPatches) TensorPrimitives.Subtract(v, TensorPrimitives.Sum(v) / n, v);
                    if (!o.PatchNormalization) continue;
                    float norm = TensorPrimitives.Norm(v);
                    if (norm > 0f) TensorPrimitives.Multiply(v, 1f / norm, v);
                }
            });
        }
        if (_y.Length < rows * k) _y = new float[rows * k];
        _gemm.Sgemm(false, true, rows, k, n, 1f, _patches, n, _m, n, 0f, _y, k);
        var outp = new Matrix(bsz, o.Features);
        var yy = _y;
        var od = outp.Data;
        int ph = o.PooledHeight, pw = o.PooledWidth, feat = o.Features;
        Parallel.For(0, bsz, () => new float[k], (b, _, acc) =>
        {
            // Each pooling window: the running maximum of its positions' rows of K values (contiguous, SIMD),
            // then written channel-major (k, py, px).
            for (int py = 0; py < ph; py++)
                for (int px = 0; px < pw; px++)
                {
                    acc.AsSpan().Fill(float.NegativeInfinity);
                    for (int dy = 0; dy < o.PoolWindow; dy++)
                        for (int dx = 0; dx < o.PoolWindow; dx++)
                        {
                            int row = b * pos + (py * o.PoolStride + dy) * o.OutWidth + px * o.PoolStride + dx;
                            TensorPrimitives.Max(acc, new ReadOnlySpan<float>(yy, row * k, k), acc);
                        }
                    for (int c = 0; c < k; c++) od[b * feat + c * ph * pw + py * pw + px] = acc[c];
                }
            return acc;
        }, _ => { });
        // f = ReLU(x)^n is non-decreasing, so max pooling commutes with it: pool first, then f on the pooled
        // values only (positions / pooled positions fewer powers: 841 / 9 for the paper's single block).
        var pooled = od.AsSpan();
        TensorPrimitives.Max(pooled, 0f, pooled);
        if (o.Power == 2) TensorPrimitives.Multiply(pooled, pooled, pooled);
        else if (o.Power != 1) TensorPrimitives.Pow(pooled, (float)o.Power, pooled);
        return outp;
    }

    public Matrix ReadWeights() => new(Options.Filters, Options.PatchSize, (float[])_m.Clone());

    public void Dispose() { }
}

using System.Numerics.Tensors;
using Hebb.Contracts;
using Hebb.Accelerated.Backends.Cpu;

namespace Hebb.Accelerated.Rules.NnlConv;

/// <summary>
/// The NNL-CONV / CONV layer (Grinberg, Hopfield &amp; Krotov 2019, section 2 and eq. 3) in float32 on the CPU:
/// im2col of the whole batch, rows normalized to unit vectors (NNL-CONV), one GEMM against the filters,
/// max pooling, then ReLU(x)^n on the pooled values (f is non-decreasing, so pooling commutes with it). Reference: Hebb.Reference.NnlConv.patches / convolve / maxPool / forward.
/// </summary>
public sealed class CpuNnlConvLayer : INnlConvLayer
{
    readonly IGemm _gemm;
    readonly float[] _m;
    float[] _patches = [], _y = [];

    public NnlConvOptions Options { get; }

    public CpuNnlConvLayer(IGemm gemm, NnlConvOptions options, Matrix filters)
    {
        Options = options.Validate();
        Check.State(filters, options.Filters, options.PatchSize, nameof(filters));
        _gemm = gemm;
        _m = (float[])filters.Data.Clone();
    }

    int ImageSize => Options.Height * Options.Width * Options.Channels;

    /// <summary>Writes every patch of one image into <paramref name="p"/> (positions x patch size).</summary>
    static void Im2Col(NnlConvOptions o, ReadOnlySpan<float> img, Span<float> p)
    {
        int n = o.PatchSize;
        for (int pos = 0; pos < o.Positions; pos++) PatchMath.Copy(o, img, pos, p.Slice(pos * n, n));
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
                    PatchMath.Prepare(new Span<float>(p, r * n, n), o.CenterPatches, o.PatchNormalization);
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

using Hebb.Accelerated.Backends.Device;
using Hebb.Contracts;

namespace Hebb.Accelerated.Rules.Csnn;

/// <summary>
/// CSNN's masked multi-head sconv layer (Stuhr &amp; Brauer, section III) on a GPU backend (kernels in csnn.cl, patches
/// by im2col, products by the device's GEMM). The same forms as <see cref="CpuCsnnLayer"/>: scores against m o w,
/// eq. 6 as G^T P, the mask rules in closed form from Q = I^T (P o P). Weights and masks stay on the device.
/// Reference: Hebb.Reference.Csnn.
/// </summary>
public sealed class DeviceCsnnLayer : DeviceLayer, ICsnnLayer
{
    readonly DeviceBuffer[] _w, _m, _e;
    readonly DeviceBuffer _q;
    readonly int _k, _n, _ms, _k2;
    DeviceBuffer? _img, _p, _p2, _bmus, _best, _g, _ind, _out, _pooled;
    readonly DeviceBuffer _norm;
    DeviceBuffer[] _s = [];

    public CsnnOptions Options { get; }

    public DeviceCsnnLayer(IDevice dev, CsnnOptions options, IReadOnlyList<Matrix> weights, IReadOnlyList<Matrix> masks) : base(dev)
    {
        Options = options.Validate();
        options.CheckState(weights, masks);
        _k = options.Neurons; _n = options.PatchSize; _ms = options.MaskSize; _k2 = options.Kernel * options.Kernel;
        _w = [.. weights.Select(w => StateBuffer(w.Data.Length, w.Data))];
        _m = [.. masks.Select(m => StateBuffer(m.Data.Length, m.Data))];
        _e = [.. weights.Select(w => StateBuffer(w.Data.Length))];
        _q = StateBuffer(_k * _n);
        _norm = StateBuffer(2 * options.OutChannels);
    }

    int ImageSize => Options.Height * Options.Width * Options.Channels;
    bool Between => Options.MaskKind == CsnnMaskKind.BetweenLayers;

    void Ensure(int b) => EnsureBatch(b, images =>
    {
        var o = Options;
        int rows = images * o.Positions;
        _img = BatchBuffer(images * ImageSize); _p = BatchBuffer(rows * _n); _p2 = BatchBuffer(rows * _n);
        _s = [.. Enumerable.Range(0, o.Maps).Select(_ => BatchBuffer(rows * _k))];
        _bmus = BatchBuffer(rows * o.Maps); _best = BatchBuffer(rows * o.Maps);
        _g = BatchBuffer(rows * _k); _ind = BatchBuffer(rows * _k); _out = BatchBuffer(images * o.Features);
        _pooled = BatchBuffer(images * o.EncodedFeatures);
    });

    /// <summary>The batch's patches, and every map's scores against m o w (eq. 7-9); returns the patch rows.</summary>
    int Score(Matrix images)
    {
        var o = Options;
        int b = images.Rows, rows = b * o.Positions;
        Ensure(b);
        Device.Write(_img!, images.Data);
        Device.Launch("im2col", _n, rows, 16, 16, b, o.Channels, o.Height, o.Width, o.Kernel, o.Stride, o.Padding, o.OutHeight, o.OutWidth, _img!, _p!);
        for (int h = 0; h < o.Maps; h++)
        {
            Device.Launch("csnn_effective", _k * _n, 1, 256, 1, _k, _n, _ms, _k2, Between ? 1 : 0, Options.CodePairing ? 1 : 0, _w[h], _m[h], _e[h]);
            Device.Gemm(false, true, rows, _k, _n, 1f, _p!, _n, _e[h], _n, 0f, _s[h], _k);
        }
        return rows;
    }

    public Matrix Forward(Matrix images)
    {
        Check.Batch(images, ImageSize, nameof(images));
        var o = Options;
        int rows = Score(images);
        for (int h = 0; h < o.Maps; h++)
            Device.Launch("csnn_scatter", rows * _k, 1, 256, 1, images.Rows, o.Positions, _k, h, o.Features, _s[h], _out!);
        return ReadMatrix(_out!, images.Rows, o.Features);
    }

    public Matrix Encode(Matrix images, CsnnNormalization normalization)
    {
        Check.Batch(images, ImageSize, nameof(images));
        var o = Options;
        normalization.CheckFor(o, nameof(normalization));
        int rows = Score(images);
        for (int h = 0; h < o.Maps; h++)
            Device.Launch("csnn_scatter", rows * _k, 1, 256, 1, images.Rows, o.Positions, _k, h, o.Features, _s[h], _out!);
        var norm = new float[2 * o.OutChannels];
        for (int c = 0; c < o.OutChannels; c++) { norm[c] = normalization.Mean[c]; norm[o.OutChannels + c] = normalization.Scale(c); }
        Device.Write(_norm, norm);
        int ph = o.PooledHeight, pw = o.PooledWidth, total = images.Rows * o.EncodedFeatures;
        Device.Launch("csnn_norm_pool", total, 1, 256, 1, images.Rows, o.OutChannels, o.OutHeight, o.OutWidth, o.Pool, ph, pw,
                      (ph * o.Pool - o.OutHeight) / 2, (pw * o.Pool - o.OutWidth) / 2, _norm, _out!, _pooled!);
        return ReadMatrix(_pooled!, images.Rows, o.EncodedFeatures);
    }

    public void Step(Matrix images, CsnnStep values)
    {
        Check.Batch(images, ImageSize, nameof(images));
        values.Validate();
        var o = Options;
        int rows = Score(images);
        for (int h = 0; h < o.Maps; h++) Device.Launch("csnn_bmu", rows, 1, 64, 1, rows, _k, h, o.Maps, _s[h], _bmus!, _best!);
        if (!o.AllBmus) Device.Launch("csnn_winner", rows, 1, 64, 1, rows, o.Maps, _bmus!, _best!);
        Device.Launch("csnn_square", rows * _n, 1, 256, 1, rows * _n, _p!, _p2!);
        for (int h = 0; h < o.Maps; h++)
        {
            Device.Launch("csnn_coefficients", rows * _k, 1, 256, 1, rows, _k, o.GridCols, (float)o.Sigma, o.MaskNeighbourhood ? 1 : 0, h, o.Maps, _bmus!, _g!, _ind!);
            // Eq. 14 / 15 from the masks before the step, then eq. 6 and eq. 5.
            Device.Gemm(true, false, _k, _n, rows, 1f, _ind!, _k, _p2!, _n, 0f, _q, _n);
            float maskRate = (float)(values.MaskRate / ((double)rows * (Between ? _k2 : 1)));
            Device.Launch("csnn_masks", _ms, 1, 64, 1, _k, _n, _ms, _k2, Between ? 1 : 0, o.MaskRule == CsnnMaskRule.EarlierMasks ? 1 : 0, (float)o.Gamma, maskRate, _m[h], _q);
            Device.Gemm(true, false, _k, _n, rows, (float)(values.SomRate / rows), _g!, _k, _p!, _n, 1f, _w[h], _n);
            Device.Launch("normalize_rows", _k, 1, 64, 1, _k, _n, _w[h]);
        }
    }

    public Matrix ReadWeights(int map)
    {
        Options.CheckMap(map);
        return ReadMatrix(_w[map], _k, _n);
    }

    public Matrix ReadMasks(int map)
    {
        Options.CheckMap(map);
        return ReadMatrix(_m[map], _k, _ms);
    }

    public void WriteMasks(int map, Matrix masks)
    {
        Options.CheckMasks(map, masks);
        Device.Write(_m[map], masks.Data);
    }

}

using Hebb.Contracts;

using Hebb.Accelerated.Backends.Cpu;
using Hebb.Accelerated.Backends.Device;

namespace Hebb.Accelerated.Rules.NnlConv;

/// <summary>The NNL-CONV / CONV layer on a GPU backend (kernels in conv.cl): im2col, row normalization, one GEMM,
/// max pooling, ReLU(x)^n on the pooled values; the filters stay on the device. Reference: Hebb.Reference.NnlConv.</summary>
public sealed class DeviceNnlConvLayer : INnlConvLayer
{
    readonly IDevice _dev;
    readonly DeviceBuffer _m;
    DeviceBuffer? _img, _p, _y, _out;
    int _capacity;

    public NnlConvOptions Options { get; }

    public DeviceNnlConvLayer(IDevice dev, NnlConvOptions options, Matrix filters)
    {
        Options = options.Validate();
        Check.State(filters, options.Filters, options.PatchSize, nameof(filters));
        _dev = dev;
        _m = dev.Alloc(filters.Data.Length);
        dev.Write(_m, filters.Data);
    }

    int ImageSize => Options.Height * Options.Width * Options.Channels;

    void Ensure(int b)
    {
        if (b <= _capacity) return;
        foreach (var buf in new[] { _img, _p, _y, _out }) buf?.Dispose();
        _capacity = b;
        var o = Options;
        _img = _dev.Alloc(b * ImageSize); _p = _dev.Alloc(b * o.Positions * o.PatchSize);
        _y = _dev.Alloc(b * o.Positions * o.Filters); _out = _dev.Alloc(b * o.Features);
    }

    void Im2Col(Matrix images)
    {
        var o = Options;
        int b = images.Rows;
        Ensure(b);
        _dev.Write(_img!, images.Data);
        _dev.Launch("im2col", o.PatchSize, b * o.Positions, 16, 16, b, o.Channels, o.Height, o.Width, o.Window, o.Stride, o.Padding, o.OutHeight, o.OutWidth, _img!, _p!);
    }

    public Matrix Patches(Matrix images)
    {
        Check.Batch(images, ImageSize, nameof(images));
        Im2Col(images);
        var m = new Matrix(images.Rows * Options.Positions, Options.PatchSize);
        _dev.Read(_p!, m.Data);
        return m;
    }

    public Matrix Forward(Matrix images)
    {
        Check.Batch(images, ImageSize, nameof(images));
        var o = Options;
        int b = images.Rows, rows = b * o.Positions;
        Im2Col(images);
        if (o.CenterPatches) _dev.Launch("center_rows", rows, 1, 64, 1, rows, o.PatchSize, _p!);
        if (o.PatchNormalization) _dev.Launch("normalize_rows", rows, 1, 64, 1, rows, o.PatchSize, _p!);
        _dev.Gemm(false, true, rows, o.Filters, o.PatchSize, 1f, _p!, o.PatchSize, _m, o.PatchSize, 0f, _y!, o.Filters);
        // f = ReLU(x)^n is non-decreasing, so max pooling commutes with it: pool first, then f on the pooled values.
        _dev.Launch("maxpool", b * o.Features, 1, 64, 1, b, o.Filters, o.OutHeight, o.OutWidth, o.PoolWindow, o.PoolStride, o.PooledHeight, o.PooledWidth, _y!, _out!);
        _dev.Launch("relu_pow", b * o.Features, 1, 256, 1, b * o.Features, (float)o.Power, _out!);
        var m = new Matrix(b, o.Features);
        _dev.Read(_out!, m.Data);
        return m;
    }

    public Matrix ReadWeights()
    {
        var m = new Matrix(Options.Filters, Options.PatchSize);
        _dev.Read(_m, m.Data);
        return m;
    }

    public void Dispose()
    {
        foreach (var buf in new[] { _m, _img, _p, _y, _out }) buf?.Dispose();
    }
}

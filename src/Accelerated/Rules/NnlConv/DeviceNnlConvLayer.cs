using Hebb.Contracts;
using Hebb.Accelerated.Backends.Device;

namespace Hebb.Accelerated.Rules.NnlConv;

/// <summary>The NNL-CONV / CONV layer on a GPU backend (kernels in conv.cl): im2col, row normalization, one GEMM,
/// max pooling, ReLU(x)^n on the pooled values; the filters stay on the device. Reference: Hebb.Reference.NnlConv.</summary>
public sealed class DeviceNnlConvLayer : DeviceLayer, INnlConvLayer
{
    readonly DeviceBuffer _m;
    DeviceBuffer? _img, _p, _y, _out;

    public NnlConvOptions Options { get; }

    public DeviceNnlConvLayer(IDevice dev, NnlConvOptions options, Matrix filters) : base(dev)
    {
        Options = options.Validate();
        Check.State(filters, options.Filters, options.PatchSize, nameof(filters));
        _m = StateBuffer(filters.Data.Length, filters.Data);
    }

    int ImageSize => Options.Height * Options.Width * Options.Channels;

    void Ensure(int b) => EnsureBatch(b, rows =>
    {
        var o = Options;
        _img = BatchBuffer(rows * ImageSize); _p = BatchBuffer(rows * o.Positions * o.PatchSize);
        _y = BatchBuffer(rows * o.Positions * o.Filters); _out = BatchBuffer(rows * o.Features);
    });

    void Im2Col(Matrix images)
    {
        var o = Options;
        int b = images.Rows;
        Ensure(b);
        Device.Write(_img!, images.Data);
        Device.Launch("im2col", o.PatchSize, b * o.Positions, 16, 16, b, o.Channels, o.Height, o.Width, o.Window, o.Stride, o.Padding, o.OutHeight, o.OutWidth, _img!, _p!);
    }

    public Matrix Patches(Matrix images)
    {
        Check.Batch(images, ImageSize, nameof(images));
        Im2Col(images);
        return ReadMatrix(_p!, images.Rows * Options.Positions, Options.PatchSize);
    }

    public Matrix Forward(Matrix images)
    {
        Check.Batch(images, ImageSize, nameof(images));
        var o = Options;
        int b = images.Rows, rows = b * o.Positions;
        Im2Col(images);
        if (o.CenterPatches) Device.Launch("center_rows", rows, 1, 64, 1, rows, o.PatchSize, _p!);
        if (o.PatchNormalization) Device.Launch("normalize_rows", rows, 1, 64, 1, rows, o.PatchSize, _p!);
        Device.Gemm(false, true, rows, o.Filters, o.PatchSize, 1f, _p!, o.PatchSize, _m, o.PatchSize, 0f, _y!, o.Filters);
        // f = ReLU(x)^n is non-decreasing, so max pooling commutes with it: pool first, then f on the pooled values.
        Device.Launch("maxpool", b * o.Features, 1, 64, 1, b, o.Filters, o.OutHeight, o.OutWidth, o.PoolWindow, o.PoolStride, o.PooledHeight, o.PooledWidth, _y!, _out!);
        Device.Launch("relu_pow", b * o.Features, 1, 256, 1, b * o.Features, (float)o.Power, _out!);
        return ReadMatrix(_out!, b, o.Features);
    }

    public Matrix ReadWeights()
    {
        return ReadMatrix(_m, Options.Filters, Options.PatchSize);
    }

}

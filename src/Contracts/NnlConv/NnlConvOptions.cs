namespace Hebb.Contracts;

/// <summary>
/// A convolutional layer of Grinberg, Hopfield &amp; Krotov, "Local Unsupervised Learning for Image Analysis" (2019),
/// section 2: K filters of W x W x C over an H x W_img x C image (rows of the image matrix are channel-major, the
/// datasets' layout), each patch normalized to a unit vector (NNL-CONV) or not (the plain CONV control), the
/// rectified power f(x) = ReLU(x)^n (eq. 3; n = 1 is ReLU), then max pooling.
/// A patch vector is channel-major too: index c*W*W + dy*W + dx, so a filter row reads like a tiny image.
/// </summary>
public sealed record NnlConvOptions
{
    public int Height { get; init; } = 32;
    public int Width { get; init; } = 32;
    public int Channels { get; init; } = 3;
    /// <summary>W, the side of a square patch (filter).</summary>
    public int Window { get; init; } = 4;
    public int Stride { get; init; } = 1;
    /// <summary>Zero padding on every side; with <see cref="PaddingAfter"/>, before (top and left) only.</summary>
    public int Padding { get; init; }
    /// <summary>Zero padding after (bottom and right) where it differs from <see cref="Padding"/> (TensorFlow's "same"
    /// puts an odd remainder after); null: <see cref="Padding"/>.</summary>
    public int? PaddingAfter { get; init; }
    /// <summary>The padding after (bottom and right) in effect.</summary>
    public int PadAfter => PaddingAfter ?? Padding;
    /// <summary>K, the number of filters (channels of the output).</summary>
    public int Filters { get; init; } = 400;
    /// <summary>Each patch minus its own mean before anything else (not in the paper; filters learned from centred
    /// patches need it to see the same patches at work as in training).</summary>
    public bool CenterPatches { get; init; }
    /// <summary>Patch normalization (NNL-CONV) or none (CONV).</summary>
    public bool PatchNormalization { get; init; } = true;
    /// <summary>n of f(x) = ReLU(x)^n (eq. 3).</summary>
    public double Power { get; init; } = 40;
    /// <summary>Max-pooling window W_p and stride (1 and 1: no pooling).</summary>
    public int PoolWindow { get; init; } = 11;
    public int PoolStride { get; init; } = 9;

    public int PatchSize => Window * Window * Channels;
    public int OutHeight => (Height + Padding + PadAfter - Window) / Stride + 1;
    public int OutWidth => (Width + Padding + PadAfter - Window) / Stride + 1;
    public int Positions => OutHeight * OutWidth;
    public int PooledHeight => (OutHeight - PoolWindow) / PoolStride + 1;
    public int PooledWidth => (OutWidth - PoolWindow) / PoolStride + 1;
    /// <summary>Output features per image: K x pooled height x pooled width, channel-major.</summary>
    public int Features => Filters * PooledHeight * PooledWidth;

    public NnlConvOptions Validate()
    {
        if (Height < 1) throw new ArgumentOutOfRangeException(nameof(Height), Height, "Height must be >= 1");
        if (Width < 1) throw new ArgumentOutOfRangeException(nameof(Width), Width, "Width must be >= 1");
        if (Channels < 1) throw new ArgumentOutOfRangeException(nameof(Channels), Channels, "Channels must be >= 1");
        if (Padding < 0) throw new ArgumentOutOfRangeException(nameof(Padding), Padding, "Padding must be >= 0");
        if (PaddingAfter < 0) throw new ArgumentOutOfRangeException(nameof(PaddingAfter), PaddingAfter, "PaddingAfter must be >= 0");
        if (Window < 1 || Window > Math.Min(Height, Width) + Padding + PadAfter)
            throw new ArgumentOutOfRangeException(nameof(Window), Window, $"Window must be in 1..{Math.Min(Height, Width) + Padding + PadAfter} (the padded image)");
        if (Stride < 1) throw new ArgumentOutOfRangeException(nameof(Stride), Stride, "Stride must be >= 1");
        if (Filters < 1) throw new ArgumentOutOfRangeException(nameof(Filters), Filters, "Filters must be >= 1");
        if (!(Power >= 1) || double.IsInfinity(Power)) throw new ArgumentOutOfRangeException(nameof(Power), Power, "Power (n) must be a finite number >= 1");
        if (PoolWindow < 1 || PoolWindow > Math.Min(OutHeight, OutWidth))
            throw new ArgumentOutOfRangeException(nameof(PoolWindow), PoolWindow, $"PoolWindow must be in 1..{Math.Min(OutHeight, OutWidth)} (the convolution's output is {OutHeight}x{OutWidth})");
        if (PoolStride < 1) throw new ArgumentOutOfRangeException(nameof(PoolStride), PoolStride, "PoolStride must be >= 1");
        return this;
    }
}

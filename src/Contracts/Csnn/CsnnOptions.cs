namespace Hebb.Contracts;

/// <summary>
/// Options of one masked multi-head sconv layer of Stuhr &amp; Brauer's CSNN (section III): <see cref="Maps"/> SOMs of
/// <see cref="GridRows"/> x <see cref="GridCols"/> neurons over K x K x C patches of a Height x Width x C input
/// (channel-major rows, as the datasets store images), zero padding on every side, each neuron with a weight vector
/// and a mask. Defaults: D-CSNN's first layer (12 x 12 x 3 grid, 3 x 3 kernel, stride 1, padding 1, input masks,
/// eq. 12 with gamma = 1, sigma = 1.0).
/// </summary>
public sealed record CsnnOptions
{
    public int Height { get; init; } = 32;
    public int Width { get; init; } = 32;
    public int Channels { get; init; } = 3;
    /// <summary>K, the side of a square kernel (patch).</summary>
    public int Kernel { get; init; } = 3;
    public int Stride { get; init; } = 1;
    /// <summary>Zero padding on every side (1 with a 3 x 3 kernel and stride 1 is "same"); with
    /// <see cref="PaddingAfter"/>, before (top and left) only.</summary>
    public int Padding { get; init; } = 1;
    /// <summary>Zero padding after (bottom and right) where it differs from <see cref="Padding"/>: TensorFlow's "same"
    /// puts an odd remainder after (S-CSNN's first layer, stride 2 on 32 x 32: 0 before, 1 after); null:
    /// <see cref="Padding"/>.</summary>
    public int? PaddingAfter { get; init; }
    /// <summary>The padding after (bottom and right) in effect.</summary>
    public int PadAfter => PaddingAfter ?? Padding;
    public int GridRows { get; init; } = 12;
    public int GridCols { get; init; } = 12;
    /// <summary>The maps (heads); their outputs are concatenated in the feature dimension.</summary>
    public int Maps { get; init; } = 3;
    public CsnnMaskKind MaskKind { get; init; } = CsnnMaskKind.Input;
    public CsnnMaskRule MaskRule { get; init; } = CsnnMaskRule.AllMasks;
    /// <summary>gamma of eq. 12 / 13, how much of the masks' output is taken from the input, in [0, 1].</summary>
    public double Gamma { get; init; } = 1.0;
    /// <summary>sigma of eq. 3's Gaussian neighbourhood over the grid (the authors' "neighbourhood coefficient").</summary>
    public double Sigma { get; init; } = 1.0;
    /// <summary>Update every map's BMU for each patch (the paper's D-BMU row), not only the best map's.</summary>
    public bool AllBmus { get; init; }
    /// <summary>Multiply each mask's update by the neighbourhood h (the NH option) instead of moving the BMU's mask only.</summary>
    public bool MaskNeighbourhood { get; init; }
    /// <summary>Masks between layers as the authors' code pairs them (authors-code-facts.md): the masked patch
    /// channel-major, dotted with weights laid out position-major, so that a patch element meets another element's
    /// weight (<c>Csnn.weightAt</c>); learning is unchanged. Only with <see cref="CsnnMaskKind.BetweenLayers"/>.</summary>
    public bool CodePairing { get; init; }
    /// <summary>The block's max pooling after the normalization: window = stride = Pool, padding "same" (the paper's
    /// 2 x 2 halves the spatial size, rounding up); 1 is none. Only <see cref="ICsnnLayer.Encode"/> pools.</summary>
    public int Pool { get; init; } = 1;

    public int Neurons => GridRows * GridCols;
    public int PatchSize => Kernel * Kernel * Channels;
    /// <summary>A neuron's mask length: the patch for input masks (eq. 7), the channels between layers (eq. 9).</summary>
    public int MaskSize => MaskKind == CsnnMaskKind.Input ? PatchSize : Channels;
    public int OutHeight => (Height + Padding + PadAfter - Kernel) / Stride + 1;
    public int OutWidth => (Width + Padding + PadAfter - Kernel) / Stride + 1;
    public int Positions => OutHeight * OutWidth;
    /// <summary>The output's channels: every neuron of every map.</summary>
    public int OutChannels => Maps * Neurons;
    /// <summary>Output features per image: OutChannels x OutHeight x OutWidth, channel-major.</summary>
    public int Features => OutChannels * Positions;
    /// <summary>The block's output height after pooling with padding "same": ceil(OutHeight / Pool).</summary>
    public int PooledHeight => (OutHeight + Pool - 1) / Pool;
    public int PooledWidth => (OutWidth + Pool - 1) / Pool;
    /// <summary>The block's output features per image (<see cref="ICsnnLayer.Encode"/>): OutChannels x PooledHeight x
    /// PooledWidth, channel-major.</summary>
    public int EncodedFeatures => OutChannels * PooledHeight * PooledWidth;

    /// <summary>Refuses an initial state that is not one weight matrix (Neurons x PatchSize) and one mask matrix
    /// (Neurons x MaskSize) of finite values per map, naming the argument: every engine's check.</summary>
    public void CheckState(IReadOnlyList<Matrix> weights, IReadOnlyList<Matrix> masks)
    {
        if (weights is null || weights.Count != Maps)
            throw new ArgumentException($"weights has {weights?.Count ?? 0} matrices; one per map ({Maps}) is required", nameof(weights));
        if (masks is null || masks.Count != Maps)
            throw new ArgumentException($"masks has {masks?.Count ?? 0} matrices; one per map ({Maps}) is required", nameof(masks));
        for (int h = 0; h < Maps; h++)
        {
            Check.State(weights[h], Neurons, PatchSize, $"weights[{h}]");
            Check.State(masks[h], Neurons, MaskSize, $"masks[{h}]");
        }
    }

    /// <summary>Refuses a map index outside 0..Maps-1, or masks that are not Neurons x MaskSize and finite, naming them.</summary>
    public void CheckMasks(int map, Matrix masks)
    {
        CheckMap(map);
        Check.State(masks, Neurons, MaskSize, nameof(masks));
    }

    /// <summary>Refuses a map index outside 0..Maps-1, naming it.</summary>
    public void CheckMap(int map)
    {
        if ((uint)map >= (uint)Maps) throw new ArgumentOutOfRangeException(nameof(map), map, $"map must be in 0..{Maps - 1}");
    }

    /// <summary>Refuses options outside the layer's domain, naming the option, its value and what is allowed.</summary>
    public CsnnOptions Validate()
    {
        if (Height < 1) throw new ArgumentOutOfRangeException(nameof(Height), Height, "Height must be >= 1");
        if (Width < 1) throw new ArgumentOutOfRangeException(nameof(Width), Width, "Width must be >= 1");
        if (Channels < 1) throw new ArgumentOutOfRangeException(nameof(Channels), Channels, "Channels must be >= 1");
        if (Padding < 0) throw new ArgumentOutOfRangeException(nameof(Padding), Padding, "Padding must be >= 0");
        if (PaddingAfter < 0) throw new ArgumentOutOfRangeException(nameof(PaddingAfter), PaddingAfter, "PaddingAfter must be >= 0");
        if (Kernel < 1 || Kernel > Math.Min(Height, Width) + Padding + PadAfter)
            throw new ArgumentOutOfRangeException(nameof(Kernel), Kernel, $"Kernel must be in 1..{Math.Min(Height, Width) + Padding + PadAfter} (the padded input)");
        if (Stride < 1) throw new ArgumentOutOfRangeException(nameof(Stride), Stride, "Stride must be >= 1");
        if (GridRows < 1) throw new ArgumentOutOfRangeException(nameof(GridRows), GridRows, "GridRows must be >= 1");
        if (GridCols < 1) throw new ArgumentOutOfRangeException(nameof(GridCols), GridCols, "GridCols must be >= 1");
        if (Maps < 1) throw new ArgumentOutOfRangeException(nameof(Maps), Maps, "Maps must be >= 1");
        if (!Enum.IsDefined(MaskKind)) throw new ArgumentOutOfRangeException(nameof(MaskKind), MaskKind, "MaskKind must be Input or BetweenLayers");
        if (!Enum.IsDefined(MaskRule)) throw new ArgumentOutOfRangeException(nameof(MaskRule), MaskRule, "MaskRule must be AllMasks or EarlierMasks");
        if (!(Gamma >= 0 && Gamma <= 1)) throw new ArgumentOutOfRangeException(nameof(Gamma), Gamma, "Gamma must be in [0, 1]");
        if (!(Sigma > 0) || double.IsInfinity(Sigma)) throw new ArgumentOutOfRangeException(nameof(Sigma), Sigma, "Sigma (the neighbourhood's radius) must be a finite number > 0");
        if (CodePairing && MaskKind != CsnnMaskKind.BetweenLayers)
            throw new ArgumentOutOfRangeException(nameof(CodePairing), CodePairing, "CodePairing applies only to masks between layers (MaskKind BetweenLayers)");
        if (Pool < 1 || Pool > Math.Max(OutHeight, OutWidth))
            throw new ArgumentOutOfRangeException(nameof(Pool), Pool, $"Pool must be in 1..{Math.Max(OutHeight, OutWidth)} (1: no pooling; at most the sconv output's {OutHeight} x {OutWidth})");
        return this;
    }
}

using Hebb.Contracts;

namespace Hebb.Runs;

/// <summary>The paper's models (Stuhr &amp; Brauer, section IV-A), each layer followed by batch norm and 2 x 2 max
/// pooling, kernel 3 x 3, padding "same", trained layer-wise for 2,000 steps per layer (the authors' code).</summary>
public static class CsnnModels
{
    /// <summary>D-CSNN: grids 12x12x3, 14x14x3, 16x16x3, stride 1, sigma 1.0, 1.5, 1.5; input masks, then masks
    /// between layers.</summary>
    public static readonly IReadOnlyList<CsnnLayerSpec> Deep =
    [
        new(12, 12, 3, 1, 1.0, CsnnMaskKind.Input, 2000),
        new(14, 14, 3, 1, 1.5, CsnnMaskKind.BetweenLayers, 2000),
        new(16, 16, 3, 1, 1.5, CsnnMaskKind.BetweenLayers, 2000),
    ];

    /// <summary>S-CSNN: grids 10x10x1 (stride 2, input masks) and 16x16x1 (stride 1, masks between layers), sigma 1.0, 1.25.</summary>
    public static readonly IReadOnlyList<CsnnLayerSpec> Small =
    [
        new(10, 10, 1, 2, 1.0, CsnnMaskKind.Input, 2000),
        new(16, 16, 1, 1, 1.25, CsnnMaskKind.BetweenLayers, 2000),
    ];

    public static readonly string[] Names = ["d-csnn", "s-csnn"];

    public static IReadOnlyList<CsnnLayerSpec> Named(string name) => name == "s-csnn" ? Small : Deep;
}

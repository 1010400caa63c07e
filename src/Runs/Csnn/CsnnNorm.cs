namespace Hebb.Runs;

/// <summary>The normalization after each CSNN layer: the paper's batch norm without trainable parameters (statistics
/// estimated on training images once the layer is trained), the authors' code's (statistics never updated: a division
/// by sqrt(1.001)), or none (the D-NBN row).</summary>
public enum CsnnNorm
{
    Batch,
    Code,
    None,
}

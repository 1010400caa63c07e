namespace Hebb.Evaluation;

/// <summary>How a probe's features are held in memory (and kept on disk): float32, as the encoder computes them, or
/// IEEE half precision (11 significant bits, at most ±65,504), half the memory, for representations too large to
/// hold otherwise (CSNN's Aug rows: 550,000 × 12,288 features are 27.5 GB in float32, 13.8 GB in half).</summary>
public enum FeaturePrecision
{
    Single,
    Half,
}

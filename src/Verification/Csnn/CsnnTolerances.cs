namespace Hebb.Verification;

/// <summary>The tolerances of CSNN's cases, each with the reason for its size (see <see cref="Tolerances"/>).</summary>
public static class CsnnTolerances
{
    /// <summary>Scores: float32 sums of &lt;= 36 products of a patch, a mask and a weight, each of size &lt;= 1.</summary>
    public static readonly Tolerance Scores = new(2e-5, 1e-5, "sums of <= 36 float32 products of size <= 1");
    /// <summary>One step: unit weight vectors moved by at most a = 0.1 and renormalized; masks by at most 0.05 x their
    /// size; both carry the scores' and sums' float32 error (~1e-6 relative).</summary>
    public static readonly Tolerance OneStep = new(1e-5, 1e-4, "one update of size <= 0.1 with float32 sums (~1e-6 relative), then a norm");
    /// <summary>Five steps: the per-step errors add up and feed back through the scores.</summary>
    public static readonly Tolerance Trajectory = new(5e-5, 5e-4, "5 steps of 1e-5 each, fed back through the scores");
}

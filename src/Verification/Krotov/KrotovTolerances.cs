namespace Hebb.Verification;

/// <summary>The tolerances of Krotov &amp; Hopfield's cases, each with the reason for its size (see <see cref="Tolerances"/>).</summary>
public static class KrotovTolerances
{
    /// <summary>Currents: sums of N &lt;= 64 products of magnitude &lt;= ~10 (|W|^(p-1) v): 64 * 6e-8 * 10 ~ 4e-5.</summary>
    public static readonly Tolerance Currents = new(1e-4, 1e-4, "sum of <= 64 float32 products of size <= 10");
    /// <summary>One step: W changes by at most lr = 0.05 per element; the update carries the currents' relative error 1e-5.</summary>
    public static readonly Tolerance OneStep = new(2e-5, 1e-4, "one update of size <= lr = 0.05 with relative error ~1e-5 on top of W ~ N(0, 1)");
    /// <summary>20 steps: the per-step errors add up (20 x 2e-5) and feed back through the currents.</summary>
    public static readonly Tolerance Trajectory = new(5e-4, 1e-3, "20 steps of 2e-5 each, fed back through the currents");
    /// <summary>Encoder: ReLU(x)^n multiplies x's relative error (1e-6) by n (&lt;= 4.5).</summary>
    public static readonly Tolerance Encode = new(1e-6, 2e-4, "x^n multiplies the dot product's relative error 1e-6 by n <= 4.5");
}

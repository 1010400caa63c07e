namespace Hebb.Verification;

/// <summary>The tolerances of the probes' cases, each with the reason for its size (see <see cref="Tolerances"/>).</summary>
public static class ProbeTolerances
{
    /// <summary>A linear layer: float32 sums of &lt;= 21 products of size &lt;= ~10 (within the bound of 64 such terms).</summary>
    public static readonly Tolerance Linear = new(1e-4, 1e-4, "sum of <= 64 float32 products of size <= 10");
    /// <summary>Probe layers: float32 sums of &lt;= 21 terms of size ~3, batch statistics accumulated in float64.</summary>
    public static readonly Tolerance Layer = new(2e-5, 2e-4, "float32 sums of <= 21 terms of size <= 3; batch norm divides by a std of >= 0.5");
    /// <summary>Adam steps: each moves a parameter by about lr = 1e-3; float32 noise in g moves m/sqrt(v) by ~1e-3 relative.</summary>
    public static readonly Tolerance Adam = new(2e-5, 1e-4, "5 Adam steps of ~lr = 1e-3, each with ~1e-3 relative noise");
}

namespace Hebb.Verification;

/// <summary>The tolerances of NNL-CONV's cases, each with the reason for its size (see <see cref="Tolerances"/>).</summary>
public static class NnlConvTolerances
{
    /// <summary>NNL-CONV: a float32 cosine (relative error ~1e-6) raised to the power n &lt;= 40 carries ~4e-5 relative error.</summary>
    public static readonly Tolerance Cosine = new(1e-7, 2e-4, "a float32 cosine (1e-6 relative) raised to n <= 40");
    /// <summary>The CONV control (no patch normalization, ReLU): float32 sums of &lt;= 64 products of size &lt;= ~10.</summary>
    public static readonly Tolerance Linear = new(1e-4, 1e-4, "sum of <= 64 float32 products of size <= 10");
}

namespace Hebb.Verification;

/// <summary>The tolerances of the top layer's cases, each with the reason for its size (see <see cref="Tolerances"/>).</summary>
public static class TopLayerTolerances
{
    /// <summary>Top layer forward: tanh of a float32 dot product of &lt;= 64 terms, |tanh'| &lt;= 1.</summary>
    public static readonly Tolerance Forward = new(2e-5, 1e-4, "tanh of a sum of <= 64 float32 products");
    /// <summary>Loss: a sum of B x C terms |c - t|^m (m = 6, |c - t| &lt;= 2): m x the forward error, summed.</summary>
    public static readonly Tolerance Loss = new(1e-3, 1e-4, "sum of B*C terms, each carrying m x the forward's relative error");
    /// <summary>Gradient: m (m-1) |c-t|^(m-2) amplifies the forward error; magnitudes up to ~1e3.</summary>
    public static readonly Tolerance Gradient = new(5e-3, 1e-3, "m(m-1)|c-t|^(m-2) <= 480 times the forward error, summed over the batch");
    /// <summary>Adam steps: each moves S by about lr = 1e-3; float32 noise in g moves m/sqrt(v) by ~1e-3 relative.</summary>
    public static readonly Tolerance Adam = new(2e-5, 1e-4, "5 Adam steps of ~lr = 1e-3, each with ~1e-3 relative noise");
}

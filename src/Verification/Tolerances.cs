namespace Hebb.Verification;

/// <summary>
/// The tolerances every rule shares. Each rule's own rows, each with the reason for its size, are in its cases'
/// folder (<c>KrotovTolerances</c>, ...). The accelerated engine is float32 (unit roundoff u = 6e-8); the reference
/// is float64. A sum of N float32 products carries an error of order N u times the sum of the terms' magnitudes.
/// </summary>
public static class Tolerances
{
    /// <summary>Exact arithmetic: inputs chosen so every product and sum is exact in float32.</summary>
    public static readonly Tolerance Exact = new(0, 0, "values and sums exactly representable in float32");
}

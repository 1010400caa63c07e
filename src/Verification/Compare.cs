using System.Text;
using Hebb.Contracts;

namespace Hebb.Verification;

/// <summary>One comparison rule everywhere: |a - b| &lt;= Atol + Rtol * |reference|.</summary>
public sealed record Tolerance(double Atol, double Rtol, string Reason);

/// <summary>
/// Every tolerance of the equivalence cases, with the reason for its size. The accelerated engine is
/// float32 (unit roundoff u = 6e-8); the reference is float64. A sum of N float32 products carries an
/// error of order N u times the sum of the terms' magnitudes.
/// </summary>
public static class Tolerances
{
    /// <summary>Currents: sums of N &lt;= 64 products of magnitude &lt;= ~10 (|W|^(p-1) v): 64 * 6e-8 * 10 ~ 4e-5.</summary>
    public static readonly Tolerance Currents = new(1e-4, 1e-4, "sum of <= 64 float32 products of size <= 10");
    /// <summary>One step: W changes by at most lr = 0.05 per element; the update carries the currents' relative error 1e-5.</summary>
    public static readonly Tolerance OneStep = new(2e-5, 1e-4, "one update of size <= lr = 0.05 with relative error ~1e-5 on top of W ~ N(0, 1)");
    /// <summary>20 steps: the per-step errors add up (20 x 2e-5) and feed back through the currents.</summary>
    public static readonly Tolerance Trajectory = new(5e-4, 1e-3, "20 steps of 2e-5 each, fed back through the currents");
    /// <summary>Encoder: ReLU(x)^n multiplies x's relative error (1e-6) by n (&lt;= 4.5).</summary>
    public static readonly Tolerance Encode = new(1e-6, 2e-4, "x^n multiplies the dot product's relative error 1e-6 by n <= 4.5");
    /// <summary>Top layer forward: tanh of a float32 dot product of &lt;= 64 terms, |tanh'| &lt;= 1.</summary>
    public static readonly Tolerance Forward = new(2e-5, 1e-4, "tanh of a sum of <= 64 float32 products");
    /// <summary>Loss: a sum of B x C terms |c - t|^m (m = 6, |c - t| &lt;= 2): m x the forward error, summed.</summary>
    public static readonly Tolerance Loss = new(1e-3, 1e-4, "sum of B*C terms, each carrying m x the forward's relative error");
    /// <summary>Gradient: m (m-1) |c-t|^(m-2) amplifies the forward error; magnitudes up to ~1e3.</summary>
    public static readonly Tolerance Gradient = new(5e-3, 1e-3, "m(m-1)|c-t|^(m-2) <= 480 times the forward error, summed over the batch");
    /// <summary>Adam steps: each moves S by about lr = 1e-3; float32 noise in g moves m/sqrt(v) by ~1e-3 relative.</summary>
    public static readonly Tolerance Adam = new(2e-5, 1e-4, "5 Adam steps of ~lr = 1e-3, each with ~1e-3 relative noise");
    /// <summary>Probe layers: float32 sums of &lt;= 21 terms of size ~3, batch statistics accumulated in float64.</summary>
    public static readonly Tolerance Layer = new(2e-5, 2e-4, "float32 sums of <= 21 terms of size <= 3; batch norm divides by a std of >= 0.5");
    /// <summary>NNL-CONV: a float32 cosine (relative error ~1e-6) raised to the power n &lt;= 40 carries ~4e-5 relative error.</summary>
    public static readonly Tolerance Conv = new(1e-7, 2e-4, "a float32 cosine (1e-6 relative) raised to n <= 40");
    /// <summary>Exact arithmetic: inputs chosen so every product and sum is exact in float32.</summary>
    public static readonly Tolerance Exact = new(0, 0, "values and sums exactly representable in float32");

    public static IEnumerable<(string Name, Tolerance Tol)> All() =>
    [
        ("currents", Currents), ("one step", OneStep), ("trajectory", Trajectory), ("encode", Encode),
        ("forward", Forward), ("loss", Loss), ("gradient", Gradient), ("adam", Adam), ("layer", Layer), ("conv", Conv), ("exact", Exact),
    ];
}

/// <summary>The outcome of one equivalence case.</summary>
public sealed record Comparison(string Rule, string Case, double MaxAbs, double MaxRel, bool Pass, string Detail)
{
    public override string ToString() =>
        $"{Rule} / {Case}: {(Pass ? "pass" : "FAIL")} (max abs {MaxAbs:g3}, max rel {MaxRel:g3}){(Detail.Length > 0 ? "\n" + Detail : "")}";
}

public static class Compare
{
    /// <summary>Compares <paramref name="actual"/> with <paramref name="reference"/> elementwise; on failure the
    /// detail lists the first five mismatches and where the largest differences are.</summary>
    public static Comparison Matrices(string rule, string name, Matrix reference, Matrix actual, Tolerance tol)
    {
        if (reference.Rows != actual.Rows || reference.Cols != actual.Cols)
            return new(rule, name, double.PositiveInfinity, double.PositiveInfinity, false,
                $"shape {actual.Rows}x{actual.Cols}, reference {reference.Rows}x{reference.Cols}");
        double maxAbs = 0, maxRel = 0;
        int maxAbsAt = -1, maxRelAt = -1, bad = 0;
        var first = new StringBuilder();
        for (int i = 0; i < reference.Data.Length; i++)
        {
            double r = reference.Data[i], a = actual.Data[i];
            double d = Math.Abs(a - r);
            if (double.IsNaN(d)) d = double.PositiveInfinity;
            double rel = d / Math.Max(Math.Abs(r), 1e-300);
            if (d > maxAbs) { maxAbs = d; maxAbsAt = i; }
            if (rel > maxRel && d > 0) { maxRel = rel; maxRelAt = i; }
            if (!(d <= tol.Atol + tol.Rtol * Math.Abs(r)))
            {
                if (bad < 5) first.AppendLine($"  [{i / reference.Cols},{i % reference.Cols}] reference {r:g9} actual {a:g9} |diff| {d:g3}");
                bad++;
            }
        }
        string detail = bad == 0 ? "" :
            $"{bad} of {reference.Data.Length} elements outside atol {tol.Atol:g3} + rtol {tol.Rtol:g3}*|ref| ({tol.Reason}); first ones:\n{first}" +
            $"  largest |diff| {maxAbs:g3} at {Where(maxAbsAt, reference.Cols)}, largest relative {maxRel:g3} at {Where(maxRelAt, reference.Cols)}";
        return new(rule, name, maxAbs, maxRel, bad == 0, detail);
    }

    public static Comparison Scalars(string rule, string name, double reference, double actual, Tolerance tol)
    {
        double d = Math.Abs(actual - reference);
        bool pass = d <= tol.Atol + tol.Rtol * Math.Abs(reference);
        return new(rule, name, d, d / Math.Max(Math.Abs(reference), 1e-300), pass,
            pass ? "" : $"  reference {reference:g12} actual {actual:g12}: outside atol {tol.Atol:g3} + rtol {tol.Rtol:g3}*|ref| ({tol.Reason})");
    }

    static string Where(int i, int cols) => i < 0 ? "-" : $"[{i / cols},{i % cols}]";
}

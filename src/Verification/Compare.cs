using System.Text;
using Hebb.Contracts;

namespace Hebb.Verification;

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

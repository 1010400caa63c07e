using Hebb.Data;
using Hebb.Verification;

namespace Hebb.Checks;

/// <summary>How one state compares with another under a tolerance (|theirs - expected| &lt;= atol + rtol |expected| per
/// element): whether it passes, the largest difference and where, and which items of each tensor's outermost axis (the
/// units, the filters) hold an element outside it.</summary>
public sealed record StateMatch(bool Pass, double MaxAbs, string Where, IReadOnlyDictionary<string, int[]> BadRows, double Excess)
{
    public static StateMatch Of(State expected, State theirs, Tolerance tol)
    {
        double maxAbs = 0, excess = 0;
        string where = "-";
        var bad = new Dictionary<string, int[]>();
        foreach (var (name, e) in expected)
        {
            var t = theirs[name];
            int rowSize = e.Rank == 0 || e.Shape[0] == 0 ? 1 : e.Data.Length / e.Shape[0];
            var rows = new SortedSet<int>();
            for (int i = 0; i < e.Data.Length; i++)
            {
                double d = Math.Abs(t.Data[i] - e.Data[i]);
                if (double.IsNaN(d)) d = double.PositiveInfinity;
                double allowed = tol.Atol + tol.Rtol * Math.Abs(e.Data[i]);
                if (d > maxAbs) { maxAbs = d; where = $"{name}{Index(e.Shape, i)}"; }
                if (!(d <= allowed)) { rows.Add(i / rowSize); excess = Math.Max(excess, d / allowed); }
            }
            if (rows.Count > 0) bad[name] = [.. rows];
        }
        return new(bad.Count == 0, maxAbs, where, bad, excess);
    }

    /// <summary>The squared distance between two states (how close an alternative reading comes).</summary>
    public static double Distance(State a, State b) =>
        a.Sum(kv => kv.Value.Data.Zip(b[kv.Key].Data, (x, y) => (x - y) * (x - y)).Sum());

    /// <summary>A flat index as NumPy's [i, j, k].</summary>
    public static string Index(int[] shape, int flat)
    {
        var idx = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--) { idx[d] = shape[d] == 0 ? 0 : flat % shape[d]; flat = shape[d] == 0 ? 0 : flat / shape[d]; }
        return $"[{string.Join(", ", idx)}]";
    }

    /// <summary>"3, 5, 9 and 12 more".</summary>
    public static string List(IReadOnlyList<int> items, int show = 12) =>
        items.Count <= show ? string.Join(", ", items) : $"{string.Join(", ", items.Take(show))} and {items.Count - show} more";
}

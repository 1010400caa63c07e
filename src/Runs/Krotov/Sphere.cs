using Hebb.Contracts;

namespace Hebb.Runs;

/// <summary>How far weights are from the p-sphere of radius R (1 unless given), the fixed point of Krotov &amp; Hopfield's eq. 2.</summary>
public static class Sphere
{
    /// <summary>The median of | sum_i |W_mu,i|^p - R^p | over the units, and the share of units within 0.05 of it (a few
    /// units that rarely win can stay far off and would dominate a mean).</summary>
    public static (double Median, double OnSphere) Deviation(Matrix w, double p, double radius = 1)
    {
        double rp = Math.Pow(radius, p);
        var dev = new double[w.Rows];
        for (int mu = 0; mu < w.Rows; mu++)
        {
            double s = 0;
            foreach (var x in w.Row(mu)) s += Math.Pow(Math.Abs(x), p);
            dev[mu] = Math.Abs(s - rp);
        }
        Array.Sort(dev);
        return (dev[dev.Length / 2], dev.Count(d => d <= 0.05) / (double)dev.Length);
    }
}

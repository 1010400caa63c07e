using Hebb.Contracts;

namespace Hebb.Verification;

/// <summary>Seeded inputs (outside the engines): the cases' data and the caller's initial states.</summary>
public static class Seeded
{

    /// <summary>Standard normal entries (Box–Muller), as the paper initializes W.</summary>
    public static Matrix Normal(int rows, int cols, int seed, double scale = 1.0) => Normal(rows, cols, new Random(seed), scale);

    /// <summary>Normal entries with standard deviation <paramref name="scale"/> (Box–Muller) from the caller's generator.</summary>
    public static Matrix Normal(int rows, int cols, Random rng, double scale)
    {
        var m = new Matrix(rows, cols);
        for (int i = 0; i < m.Data.Length; i++)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            m.Data[i] = (float)(scale * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return m;
    }

    /// <summary>Uniform entries in [lo, hi), like pixels / 255.</summary>
    public static Matrix Uniform(int rows, int cols, int seed, double lo = 0, double hi = 1)
    {
        var rng = new Random(seed);
        var m = new Matrix(rows, cols);
        for (int i = 0; i < m.Data.Length; i++) m.Data[i] = (float)(lo + (hi - lo) * rng.NextDouble());
        return m;
    }

    public static int[] Labels(int rows, int classes, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, rows).Select(_ => rng.Next(classes)).ToArray();
    }
}

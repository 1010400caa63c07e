using Hebb.Contracts;

namespace Hebb.Runs;

/// <summary>Draws from U(-1, 1): CSNN's "R" baseline (Stuhr &amp; Brauer, Table I, a trained encoder's weights replaced by
/// random ones) and its initial weights and masks.</summary>
public static class Randomize
{
    /// <summary>A new rows x cols matrix drawn from U(-1, 1) (CSNN's initial weights and masks).</summary>
    public static Matrix Uniform(int rows, int cols, Random rng)
    {
        var m = new Matrix(rows, cols);
        Uniform(m, rng);
        return m;
    }

    /// <summary>Every weight drawn from U(-1, 1).</summary>
    public static void Uniform(Matrix w, Random rng)
    {
        for (int i = 0; i < w.Data.Length; i++) w.Data[i] = (float)(rng.NextDouble() * 2 - 1);
    }
}

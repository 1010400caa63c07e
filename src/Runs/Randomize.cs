using Hebb.Contracts;

namespace Hebb.Runs;

/// <summary>CSNN's "R" baseline (Stuhr &amp; Brauer, Table I): a trained encoder's weights replaced by random ones.</summary>
public static class Randomize
{
    /// <summary>Every weight drawn from U(-1, 1).</summary>
    public static void Uniform(Matrix w, Random rng)
    {
        for (int i = 0; i < w.Data.Length; i++) w.Data[i] = (float)(rng.NextDouble() * 2 - 1);
    }
}

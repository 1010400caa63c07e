using Hebb.Contracts;

namespace Hebb.Evaluation;

/// <summary>The caller's side of a probe's randomness: initial parameters and dropout masks from a seeded generator.</summary>
public static class ProbeInit
{
    /// <summary>Glorot-uniform weights, zero bias, gamma 1, beta 0, running mean 0 and variance 1 (Keras's defaults), seeded.</summary>
    public static ClassifierParameters Initial(ProbeOptions o, Random rng)
    {
        var w = new Matrix[o.Layers];
        for (int l = 0; l < o.Layers; l++)
        {
            int fin = o.InputsOf(l), fout = o.OutputsOf(l);
            double limit = Math.Sqrt(6.0 / (fin + fout));
            w[l] = new Matrix(fout, fin);
            for (int i = 0; i < w[l].Data.Length; i++) w[l].Data[i] = (float)((rng.NextDouble() * 2 - 1) * limit);
        }
        Matrix Fill(int n, float v) { var m = new Matrix(1, n); Array.Fill(m.Data, v); return m; }
        return new ClassifierParameters(
            w, Fill(o.Classes, 0f),
            [.. o.Hidden.Select(h => Fill(h, 1f))], [.. o.Hidden.Select(h => Fill(h, 0f))],
            [.. o.Hidden.Select(h => Fill(h, 0f))], [.. o.Hidden.Select(h => Fill(h, 1f))]);
    }

    /// <summary>Dropout masks drawn with keep probability 1 - rate, seeded (randomness stays outside the engines).</summary>
    public static Matrix[] Masks(ProbeOptions o, int rows, Random rng) =>
        [.. o.Hidden.Select((h, l) =>
        {
            var m = new Matrix(rows, h);
            for (int i = 0; i < m.Data.Length; i++) m.Data[i] = rng.NextDouble() >= o.Dropout[l] ? 1f : 0f;
            return m;
        })];

}

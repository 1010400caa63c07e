using Hebb.Reference;

namespace Hebb.Checks;

/// <summary>
/// The pieces of one step of Krotov &amp; Hopfield's fast rule (section 3) from a state W (K x N) and a minibatch, each
/// from the reference's functions (<c>Krotov.current</c>, <c>Krotov.rank</c>): the currents, each sample's ranking of the
/// units, and the update's direction ds = sum_b g (R^p v_b - &lt;W, v_b&gt; W) before any scaling, with one of the
/// departures people make (<see cref="KrotovMistake"/>) and near-tied rankings read the other way, for the check's
/// diagnosis.
/// </summary>
public sealed class KrotovTerms
{
    readonly double[,] _w;
    readonly double[][] _batch;
    readonly double _p, _r, _delta;
    readonly int _k;

    /// <summary>I[b][mu] = &lt;W_mu, v_b&gt; (or W_mu . v_b with <paramref name="metric"/> false).</summary>
    public double[][] Currents { get; }
    /// <summary>Each sample's units, strongest current first (ties: lowest index), as <c>Krotov.rank</c>.</summary>
    public int[][] Ranking { get; }

    public KrotovTerms(double[,] w, double[][] batch, double p, double r, int k, double delta, bool metric = true)
    {
        (_w, _batch, _p, _r, _k, _delta) = (w, batch, p, r, k, delta);
        int units = w.GetLength(0), n = w.GetLength(1);
        var rows = Enumerable.Range(0, units).Select(mu => Enumerable.Range(0, n).Select(i => w[mu, i]).ToArray()).ToArray();
        Currents = batch.Select(v => rows.Select(row => metric ? Krotov.current(p, row, v) : row.Zip(v, (a, b) => a * b).Sum()).ToArray()).ToArray();
        Ranking = Currents.Select(Krotov.rank).ToArray();
    }

    public int Units => _w.GetLength(0);
    public int Batch => _batch.Length;

    /// <summary>The update's direction ds (K x N), before the learning rate and any normalization, with
    /// <paramref name="mistake"/> made and the ranking positions in <paramref name="flips"/> (sample, position: swapped
    /// with position + 1) read the other way.</summary>
    public double[,] Direction(KrotovMistake mistake = KrotovMistake.None, IReadOnlyCollection<(int Sample, int Position)>? flips = null)
    {
        int units = Units, n = _w.GetLength(1);
        var g = new double[_batch.Length][];
        double pushed = mistake == KrotovMistake.DeltaSign ? _delta : -_delta;
        int k = _k + (mistake == KrotovMistake.RankKPlusOne ? 1 : mistake == KrotovMistake.RankKMinusOne ? -1 : 0);
        for (int b = 0; b < _batch.Length; b++)
        {
            g[b] = new double[units];
            if (mistake == KrotovMistake.SamplesRanked) continue;
            var order = (int[])Ranking[b].Clone();
            if (flips is not null)
                foreach (var (sample, pos) in flips)
                    if (sample == b) (order[pos], order[pos + 1]) = (order[pos + 1], order[pos]);
            if (order.Length >= 1) g[b][order[0]] = 1.0;
            if (k >= 1 && order.Length >= k) g[b][order[k - 1]] = pushed;
        }
        if (mistake == KrotovMistake.SamplesRanked)
            for (int mu = 0; mu < units; mu++)
            {
                var order = Krotov.rank(Currents.Select(c => c[mu]).ToArray());
                if (order.Length >= 1) g[order[0]][mu] = 1.0;
                if (order.Length >= _k) g[order[_k - 1]][mu] = pushed;
            }
        double rp = Math.Pow(_r, _p);
        var ds = new double[units, n];
        for (int b = 0; b < _batch.Length; b++)
            for (int mu = 0; mu < units; mu++)
            {
                double gm = g[b][mu];
                if (gm == 0) continue;
                double decay = mistake == KrotovMistake.NoDecay ? 0 : Currents[b][mu];
                for (int i = 0; i < n; i++) ds[mu, i] += gm * (rp * _batch[b][i] - decay * _w[mu, i]);
            }
        return ds;
    }

    /// <summary>The largest |element| of an update (the authors' code divides by it).</summary>
    public static double MaxAbs(double[,] ds)
    {
        double m = 0;
        foreach (var x in ds) m = Math.Max(m, Math.Abs(x));
        return m;
    }
}

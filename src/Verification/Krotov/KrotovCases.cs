using Hebb.Contracts;
using static Hebb.Verification.Seeded;

namespace Hebb.Verification;

/// <summary>Equivalence cases of Krotov &amp; Hopfield's fast rule (section 3), its currents (eq. 2) and encoder (eq. 1).</summary>
public sealed class KrotovCases : ICaseSource
{

    static KrotovOptions Krotov(int k, int n, double p = 3, int rankK = 3, double delta = 0.4, KrotovVariant variant = KrotovVariant.AuthorsCode) =>
        new() { Units = k, Inputs = n, P = p, RankK = rankK, Delta = delta, Variant = variant };

    static IEnumerable<Comparison> Steps(string name, IEngine reference, IEngine engine, KrotovOptions o, int batch, int steps, double lr, Tolerance tol, int seed)
    {
        var w0 = Normal(o.Units, o.Inputs, seed);
        using var a = reference.CreateKrotov(o, w0);
        using var b = engine.CreateKrotov(o, w0);
        for (int s = 0; s < steps; s++)
        {
            var v = Uniform(batch, o.Inputs, seed + 1000 + s);
            double rate = lr * (1.0 - (double)s / steps);   // the linearly falling schedule
            a.Step(v, rate);
            b.Step(v, rate);
        }
        yield return Compare.Matrices("krotov", name, a.ReadWeights(), b.ReadWeights(), tol);
    }

    /// <summary>The currents of a batch of <paramref name="batch"/> inputs, both engines from the same W.</summary>
    static Case CurrentsCase(string name, KrotovOptions o, int batch, int weightSeed, int inputSeed) => new("krotov", name, (r, e) =>
    {
        var w = Normal(o.Units, o.Inputs, weightSeed);
        var v = Uniform(batch, o.Inputs, inputSeed);
        using var a = r.CreateKrotov(o, w);
        using var b = e.CreateKrotov(o, w);
        return [Compare.Matrices("krotov", name, a.Currents(v), b.Currents(v), KrotovTolerances.Currents)];
    });

    public IEnumerable<Case> Cases()
    {
        yield return CurrentsCase("currents K=17 N=33 B=9 p=3", Krotov(17, 33), 9, 1, 2);
        yield return CurrentsCase("currents p=2.5 (general power)", Krotov(11, 20, p: 2.5), 5, 3, 4);
        foreach (var variant in new[] { KrotovVariant.Paper, KrotovVariant.AuthorsCode })
        {
            foreach (var p in new[] { 2.0, 3.0, 4.0, 3.5 })
            {
                string n1 = $"one step {variant} p={p} K=20 N=37 B=10";
                yield return new("krotov", n1, (r, e) => Steps(n1, r, e, Krotov(20, 37, p: p, variant: variant), 10, 1, 0.05, KrotovTolerances.OneStep, 10));
            }
            string nt = $"20-step trajectory {variant} K=24 N=29 B=8";
            yield return new("krotov", nt, (r, e) => Steps(nt, r, e, Krotov(24, 29, variant: variant), 8, 20, 0.05, KrotovTolerances.Trajectory, 20));
            string n1u = $"1 hidden unit {variant}";
            yield return new("krotov", n1u, (r, e) => Steps(n1u, r, e, Krotov(1, 13, variant: variant), 4, 5, 0.05, KrotovTolerances.Trajectory, 30));
            string nb1 = $"batch of 1 {variant}";
            yield return new("krotov", nb1, (r, e) => Steps(nb1, r, e, Krotov(9, 17, variant: variant), 1, 5, 0.05, KrotovTolerances.Trajectory, 40));
            string nk = $"k = K {variant} (loser is the last unit)";
            yield return new("krotov", nk, (r, e) => Steps(nk, r, e, Krotov(5, 7, rankK: 5, variant: variant), 3, 3, 0.05, KrotovTolerances.Trajectory, 50));
        }
        // Sizes past one 16 x 16 GEMM tile and one 64-wide work-group, with remainders in every dimension.
        yield return CurrentsCase("tile remainders: currents K=70 N=50 B=35", Krotov(70, 50), 35, 8, 9);
        string tr = "tile remainders: 3 steps K=70 N=50 B=35";
        yield return new("krotov", tr, (r, e) => Steps(tr, r, e, Krotov(70, 50), 35, 3, 0.05, KrotovTolerances.Trajectory, 60));
        string many = "k = 70 (a long ranking, past any fixed top-k buffer) K=90 N=12 B=5";
        yield return new("krotov", many, (r, e) => Steps(many, r, e, Krotov(90, 12, rankK: 70), 5, 3, 0.05, KrotovTolerances.Trajectory, 90));
        string big = "k = 9 (the cpu backend's scan, not its SIMD lanes) K=20 N=15 B=6";
        yield return new("krotov", big, (r, e) => Steps(big, r, e, Krotov(20, 15, rankK: 9), 6, 3, 0.05, KrotovTolerances.Trajectory, 70));
        // Rows 0..2 tie for first, 3..5 for fourth: winner 0, 4th ranked 3.
        yield return new("krotov", "exact ties: lowest index wins", (r, e) => Ties(r, e, "exact ties: lowest index wins", 8, [0, 1, 2], [3, 4, 5], 4, [0, 3]));
        // K = 37: ties across SIMD lanes, vectors and the tail (rows 5, 13, 34 strongest; 2, 10, 36 next).
        foreach (var (rankK, expected) in new[] { (2, new[] { 5, 13 }), (3, new[] { 5, 34 }), (4, new[] { 2, 5 }) })
        {
            string name = $"exact ties across lanes and the tail: K=37, k={rankK}";
            yield return new("krotov", name, (r, e) => Ties(r, e, name, 37, [5, 13, 34], [2, 10, 36], rankK, expected));
        }
        // K = 300: more units than a GPU ranking work-group has work-items (128), so each scans several, and the tied
        // rows sit in different work-items (7, 140, 290 strongest; 3, 200, 299 next).
        foreach (var (rankK, expected) in new[] { (2, new[] { 7, 140 }), (3, new[] { 7, 290 }), (4, new[] { 3, 7 }) })
        {
            string name = $"exact ties across work-items: K=300, k={rankK}";
            yield return new("krotov", name, (r, e) => Ties(r, e, name, 300, [7, 140, 290], [3, 200, 299], rankK, expected));
        }
        // ... and a batch past the 64 samples the GPU update reads into local memory at a time.
        string wide = "more units than a work-group, more samples than a chunk: 3 steps K=300 N=20 B=70";
        yield return new("krotov", wide, (r, e) => Steps(wide, r, e, Krotov(300, 20), 70, 3, 0.05, KrotovTolerances.Trajectory, 80));
        yield return new("krotov", "encode n=4.5 K=19 N=31 B=7", (r, e) =>
        {
            var o = Krotov(19, 31);
            var w = Normal(19, 31, 5, 0.3);
            var v = Uniform(7, 31, 6);
            using var a = r.CreateKrotov(o, w);
            using var b = e.CreateKrotov(o, w);
            return [Compare.Matrices("krotov", "encode n=4.5 K=19 N=31 B=7", a.Encode(v, 4.5), b.Encode(v, 4.5), KrotovTolerances.Encode)];
        });
        // A whole pass over a minibatch source: the engine's own (IMinibatchLearner, e.g. the cpu backend's steps split
        // over threads) against the reference's steps one by one; K and the batch not multiples of a thread count.
        foreach (var variant in new[] { KrotovVariant.Paper, KrotovVariant.AuthorsCode })
            foreach (var p in new[] { 2.0, 3.0 })
            {
                string name = $"a pass over a minibatch source {variant} p={p} K=37 N=19, 47 rows in batches of 10";
                yield return new("krotov", name, (r, e) => Pass(name, r, e, Krotov(37, 19, p: p, rankK: 2, delta: 0.2, variant: variant), 47, 10, 80));
            }
        yield return new("krotov", "bad input is refused, state kept", (r, e) => BadKrotovInput(r, e));
    }

    static IEnumerable<Comparison> Pass(string name, IEngine reference, IEngine engine, KrotovOptions o, int rows, int batch, int seed)
    {
        var w0 = Normal(o.Units, o.Inputs, seed);
        var data = Uniform(rows, o.Inputs, seed + 1);
        const double lr = 0.05;
        using var a = reference.CreateKrotov(o, w0);
        using var b = engine.CreateKrotov(o, w0);
        foreach (var v in MatrixSource.Batches(data, batch)) a.Step(v, lr);
        int steps = 0;
        if (b is IMinibatchLearner learner) learner.Learn(new MatrixSource(data, batch), lr, () => steps++);
        else foreach (var v in MatrixSource.Batches(data, batch)) { b.Step(v, lr); steps++; }
        var comparison = Compare.Matrices("krotov", name, a.ReadWeights(), b.ReadWeights(), KrotovTolerances.Trajectory);
        int expected = (rows + batch - 1) / batch;
        yield return steps == expected ? comparison : comparison with { Pass = false, Detail = $"{steps} steps reported, {expected} expected\n" + comparison.Detail };
    }

    /// <summary>
    /// Some rows of W are equal (strong), some others too (weak), with values in multiples of 1/4 and inputs in {0, 1}:
    /// every current is exact in float32, so units tie exactly. Ranked by current and then by the lower index, the
    /// winner and the k-th ranked unit are the only rows a step may change; both engines must change those.
    /// </summary>
    static IEnumerable<Comparison> Ties(IEngine reference, IEngine engine, string name, int k, int[] strongRows, int[] weakRows, int rankK, int[] expected)
    {
        const int n = 6;
        var w = new Matrix(k, n);
        float[] strong = [1f, 0.5f, 0.25f, 0.75f, 0.5f, 1f], weak = [0.5f, 0.25f, 0.25f, 0.5f, 0.25f, 0.5f];
        for (int mu = 0; mu < k; mu++)
            for (int i = 0; i < n; i++)
                w[mu, i] = strongRows.Contains(mu) ? strong[i] : weakRows.Contains(mu) ? weak[i] : 0.25f * ((mu + i) % 3 - 1);
        var v = new Matrix(2, n, [1, 1, 0, 1, 0, 1, 1, 0, 1, 1, 1, 0]);
        var o = Krotov(k, n, p: 2, rankK: rankK);
        using var a = reference.CreateKrotov(o, w);
        using var b = engine.CreateKrotov(o, w);
        a.Step(v, 0.5);
        b.Step(v, 0.5);
        var wa = a.ReadWeights();
        var changed = Enumerable.Range(0, k).Where(mu => Enumerable.Range(0, n).Any(i => wa[mu, i] != w[mu, i])).ToArray();
        var comparison = Compare.Matrices("krotov", name, wa, b.ReadWeights(), KrotovTolerances.OneStep);
        if (!changed.SequenceEqual(expected))
            comparison = comparison with { Pass = false, Detail = $"reference changed rows [{string.Join(",", changed)}]; expected [{string.Join(",", expected)}]\n" + comparison.Detail };
        yield return comparison;
    }

    /// <summary>Each kind of bad input is refused with an ArgumentException by both engines, and W is unchanged.</summary>
    static IEnumerable<Comparison> BadKrotovInput(IEngine reference, IEngine engine)
    {
        var o = Krotov(6, 5);
        var w = Normal(6, 5, 7);
        var nan = Uniform(2, 5, 8); nan[1, 3] = float.NaN;
        (string What, Action<IKrotovLayer> Act)[] bad =
        [
            ("batch with NaN", l => l.Step(nan, 0.1)),
            ("batch of wrong width", l => l.Step(Uniform(2, 4, 9), 0.1)),
            ("empty batch", l => l.Step(new Matrix(0, 5), 0.1)),
            ("negative learning rate", l => l.Step(Uniform(2, 5, 9), -1)),
            ("encode with n < 1", l => l.Encode(Uniform(2, 5, 9), 0.5)),
        ];
        foreach (var eng in new[] { reference, engine })
        {
            using var layer = eng.CreateKrotov(o, w);
            foreach (var (what, act) in bad)
            {
                string outcome = Refusal.Of<ArgumentException>(() => act(layer), null, "accepted");
                var kept = Compare.Matrices("krotov", $"{eng.Name}: {what}", w, layer.ReadWeights(), Tolerances.Exact);
                yield return kept with { Case = $"bad input ({what}) on {eng.Name}", Pass = kept.Pass && outcome == "", Detail = outcome + kept.Detail };
            }
            string opt = Refusal.Of<ArgumentOutOfRangeException>(() => eng.CreateKrotov(o with { P = 0.5 }, w).Dispose(), "0.5", "p = 0.5 accepted");
            yield return new("krotov", $"bad option (p = 0.5) on {eng.Name}", 0, 0, opt == "", opt);
        }
    }
}

using Hebb.Contracts;
using Hebb.Evaluation;

namespace Hebb.Verification;

/// <summary>Equivalence cases of the probes' layers and classifiers (CSNN section IV-B).</summary>
public sealed class ProbeCases : ICaseSource
{
    public IEnumerable<Case> Cases()
    {
        // Layers one by one, with sizes that are not multiples of a vector width.
        yield return new("probe", "linear forward and backward B=7 in=13 out=5", (r, e) =>
        {
            var (x, w, bias, dy) = (Seeded.Normal(7, 13, 100), Seeded.Normal(5, 13, 101, 0.3), Seeded.Normal(1, 5, 102), Seeded.Normal(7, 5, 103));
            var (a, b) = (r.ProbeLayers().LinearBackward(x, w, dy), e.ProbeLayers().LinearBackward(x, w, dy));
            return [Compare.Matrices("probe", "linear forward", r.ProbeLayers().Linear(x, w, bias), e.ProbeLayers().Linear(x, w, bias), ProbeTolerances.Linear),
                    Compare.Matrices("probe", "linear backward dx", a.Dx, b.Dx, ProbeTolerances.Linear),
                    Compare.Matrices("probe", "linear backward dW", a.Dw, b.Dw, ProbeTolerances.Linear),
                    Compare.Matrices("probe", "linear backward dbias", a.Dbias, b.Dbias, ProbeTolerances.Linear)];
        });
        yield return new("probe", "batch norm forward and backward B=9 n=11", (r, e) =>
        {
            var (x, gamma, beta, dy) = (Seeded.Normal(9, 11, 110, 3.0), Seeded.Uniform(1, 11, 111, 0.5, 2), Seeded.Normal(1, 11, 112), Seeded.Normal(9, 11, 113));
            var (a, b) = (r.ProbeLayers().BatchNormBackward(x, gamma, dy, 1e-3), e.ProbeLayers().BatchNormBackward(x, gamma, dy, 1e-3));
            return [Compare.Matrices("probe", "batch norm forward", r.ProbeLayers().BatchNorm(x, gamma, beta, 1e-3), e.ProbeLayers().BatchNorm(x, gamma, beta, 1e-3), ProbeTolerances.Layer),
                    Compare.Matrices("probe", "batch norm backward dx", a.Dx, b.Dx, ProbeTolerances.Layer),
                    Compare.Matrices("probe", "batch norm backward dgamma", a.Dgamma, b.Dgamma, ProbeTolerances.Layer),
                    Compare.Matrices("probe", "batch norm backward dbeta", a.Dbeta, b.Dbeta, ProbeTolerances.Layer)];
        });
        yield return new("probe", "batch norm of a batch of 2", (r, e) =>
        {
            var (x, gamma, beta) = (Seeded.Normal(2, 6, 114), Seeded.Uniform(1, 6, 115, 0.5, 2), Seeded.Normal(1, 6, 116));
            return [Compare.Matrices("probe", "batch norm B=2", r.ProbeLayers().BatchNorm(x, gamma, beta, 1e-3), e.ProbeLayers().BatchNorm(x, gamma, beta, 1e-3), ProbeTolerances.Layer)];
        });
        yield return new("probe", "ELU and dropout forward and backward", (r, e) =>
        {
            var (x, dy) = (Seeded.Normal(6, 17, 120, 2.0), Seeded.Normal(6, 17, 121));
            var mask = ProbeInit.Masks(new ProbeOptions { Inputs = 1, Hidden = [17], Dropout = [0.4] }, 6, new Random(122))[0];
            return [Compare.Matrices("probe", "ELU forward", r.ProbeLayers().Elu(x), e.ProbeLayers().Elu(x), ProbeTolerances.Layer),
                    Compare.Matrices("probe", "ELU backward", r.ProbeLayers().EluBackward(x, dy), e.ProbeLayers().EluBackward(x, dy), ProbeTolerances.Layer),
                    Compare.Matrices("probe", "dropout", r.ProbeLayers().Dropout(x, mask, 0.4), e.ProbeLayers().Dropout(x, mask, 0.4), ProbeTolerances.Layer)];
        });
        yield return new("probe", "softmax cross-entropy B=8 C=10", (r, e) =>
        {
            var z = Seeded.Normal(8, 10, 130, 4.0);
            var y = Seeded.Labels(8, 10, 131);
            var (a, b) = (r.ProbeLayers().SoftmaxCrossEntropy(z, y), e.ProbeLayers().SoftmaxCrossEntropy(z, y));
            return [Compare.Scalars("probe", "softmax cross-entropy loss", a.Loss, b.Loss, ProbeTolerances.Layer),
                    Compare.Matrices("probe", "softmax cross-entropy dz", a.Dz, b.Dz, ProbeTolerances.Layer)];
        });

        // Whole classifiers: gradients of a batch, a 5-step Adam trajectory with dropout, inference logits.
        var mlp = new ProbeOptions { Inputs = 21, Classes = 10, Hidden = [19, 13], Dropout = [0.5, 0.3] };
        var linear = ProbeOptions.Linear(21);
        foreach (var (name, o) in new[] { ("linear", linear), ("mlp 21-19-13-10", mlp) })
        {
            yield return new("probe", $"{name}: gradients of one batch", (r, e) =>
            {
                var p0 = ProbeInit.Initial(o, new Random(140));
                var x = Seeded.Normal(12, 21, 141);
                var y = Seeded.Labels(12, 10, 142);
                var masks = ProbeInit.Masks(o, 12, new Random(143));
                using var a = r.CreateClassifier(o, p0);
                using var b = e.CreateClassifier(o, p0);
                var (la, ga) = a.Gradients(x, y, masks);
                var (lb, gb) = b.Gradients(x, y, masks);
                return [Compare.Scalars("probe", $"{name}: loss", la, lb, ProbeTolerances.Layer),
                        .. ga.Named().Zip(gb.Named(), (u, v) => Compare.Matrices("probe", $"{name}: gradient {u.Name}", u.Value, v.Value, ProbeTolerances.Layer))];
            });
            yield return new("probe", $"{name}: 5 Adam steps, then inference", (r, e) =>
            {
                var p0 = ProbeInit.Initial(o, new Random(150));
                using var a = r.CreateClassifier(o, p0);
                using var b = e.CreateClassifier(o, p0);
                var rng = new Random(151);
                for (int t = 0; t < 5; t++)
                {
                    var x = Seeded.Normal(16, 21, 152 + t);
                    var y = Seeded.Labels(16, 10, 160 + t);
                    var masks = ProbeInit.Masks(o, 16, rng);
                    a.Step(x, y, masks, 1e-3);
                    b.Step(x, y, masks, 1e-3);
                }
                var test = Seeded.Normal(9, 21, 170);
                return [.. a.Read().Named().Zip(b.Read().Named(), (u, v) => Compare.Matrices("probe", $"{name}: after 5 steps {u.Name}", u.Value, v.Value, ProbeTolerances.Adam)),
                        Compare.Matrices("probe", $"{name}: inference logits", a.Logits(test), b.Logits(test), ProbeTolerances.Layer)];
            });
        }
        yield return new("probe", "bad input is refused, state kept", (r, e) => BadInput(r, e, mlp));
    }

    static IEnumerable<Comparison> BadInput(IEngine reference, IEngine engine, ProbeOptions o)
    {
        var p0 = ProbeInit.Initial(o, new Random(180));
        var x = Seeded.Normal(4, 21, 181);
        int[] y = [1, 2, 3, 4];
        var good = ProbeInit.Masks(o, 4, new Random(182));
        var half = new Matrix(4, 19); Array.Fill(half.Data, 0.5f);
        var nan = x.Clone(); nan[2, 2] = float.NaN;
        (string What, Action<IClassifier> Act)[] bad =
        [
            ("a mask entry of 0.5", c => c.Step(x, y, [half, good[1]], 1e-3)),
            ("one mask for two hidden layers", c => c.Step(x, y, [good[0]], 1e-3)),
            ("x with NaN", c => c.Step(nan, y, good, 1e-3)),
            ("label 10 of 10 classes", c => c.Step(x, [1, 2, 10, 4], good, 1e-3)),
            ("x of the wrong width", c => c.Logits(Seeded.Normal(4, 20, 183))),
        ];
        foreach (var eng in new[] { reference, engine })
        {
            using var c = eng.CreateClassifier(o, p0);
            foreach (var (what, act) in bad)
            {
                string outcome = Refusal.Of<ArgumentException>(() => act(c), null, "accepted");
                var now = c.Read().Named().ToList();
                var kept = p0.Named().Zip(now, (u, v) => Compare.Matrices("probe", u.Name, u.Value, v.Value, Tolerances.Exact)).ToList();
                bool pass = outcome == "" && kept.All(k => k.Pass);
                yield return new("probe", $"bad input ({what}) on {eng.Name}", 0, 0, pass, outcome + string.Concat(kept.Where(k => !k.Pass).Select(k => k.Detail)));
            }
        }
    }
}

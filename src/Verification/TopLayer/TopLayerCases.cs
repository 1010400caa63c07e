using Hebb.Contracts;
using static Hebb.Verification.Seeded;

namespace Hebb.Verification;

/// <summary>Equivalence cases of Krotov &amp; Hopfield's top layer (eq. 1, appendix B): forward, loss, gradient, Adam.</summary>
public sealed class TopLayerCases : ICaseSource
{

    public IEnumerable<Case> Cases()
    {
        var o = new TopLayerOptions { Hidden = 23, Classes = 10, M = 6 };
        Matrix H(int rows, int seed) => Uniform(rows, 23, seed, 0, 0.5);
        yield return new("top", "forward H=23 C=10 B=13", (r, e) =>
        {
            var s = Normal(10, 23, 60, 0.3);
            using var a = r.CreateTopLayer(o, s);
            using var b = e.CreateTopLayer(o, s);
            return [Compare.Matrices("top", "forward H=23 C=10 B=13", a.Forward(H(13, 61)), b.Forward(H(13, 61)), TopLayerTolerances.Forward)];
        });
        yield return new("top", "loss and gradient m=6", (r, e) =>
        {
            var s = Normal(10, 23, 62, 0.3);
            var h = H(13, 63);
            var y = Labels(13, 10, 64);
            using var a = r.CreateTopLayer(o, s);
            using var b = e.CreateTopLayer(o, s);
            return [Compare.Scalars("top", "loss m=6", a.Loss(h, y), b.Loss(h, y), TopLayerTolerances.Loss),
                    Compare.Matrices("top", "gradient m=6", a.Gradient(h, y), b.Gradient(h, y), TopLayerTolerances.Gradient)];
        });
        foreach (var (rows, name) in new[] { (16, "5 Adam steps B=16"), (1, "5 Adam steps batch of 1") })
            yield return new("top", name, (r, e) =>
            {
                var s = Normal(10, 23, 65, 0.3);
                using var a = r.CreateTopLayer(o, s);
                using var b = e.CreateTopLayer(o, s);
                for (int t = 0; t < 5; t++)
                {
                    var h = H(rows, 66 + t);
                    var y = Labels(rows, 10, 80 + t);
                    a.Step(h, y, 1e-3);
                    b.Step(h, y, 1e-3);
                }
                return [Compare.Matrices("top", name, a.ReadWeights(), b.ReadWeights(), TopLayerTolerances.Adam)];
            });
        yield return new("top", "bad labels are refused, state kept", (r, e) =>
        {
            var s = Normal(10, 23, 67, 0.3);
            var list = new List<Comparison>();
            foreach (var eng in new[] { r, e })
            {
                using var layer = eng.CreateTopLayer(o, s);
                string outcome = Refusal.Of<ArgumentOutOfRangeException>(() => layer.Step(H(3, 68), [1, 10, 2], 1e-3), "10", "label 10 of 10 classes accepted");
                var kept = Compare.Matrices("top", "bad labels", s, layer.ReadWeights(), Tolerances.Exact);
                list.Add(kept with { Case = $"bad labels on {eng.Name}", Pass = kept.Pass && outcome == "", Detail = outcome + kept.Detail });
            }
            return list;
        });
    }
}

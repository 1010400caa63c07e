using System.Text.Json.Nodes;
using Hebb.Contracts;
using Hebb.Data;
using Hebb.Reference;
using Hebb.Runs;
using Hebb.Verification;

namespace Hebb.Checks;

/// <summary>
/// <c>hebb check</c> for Krotov &amp; Hopfield's fast rule (section 3, with eq. 2's update): a case of a few minibatch
/// steps from a random W, the variants paper (eq. 2 averaged over the minibatch) and code (the authors' notebook: summed,
/// divided by its largest |element|), and a diagnosis by the rule's terms (the ranking, the anti-Hebbian rank and its
/// sign, the decay term, the metric of the currents, the normalization by the largest update, the learning-rate
/// schedule).
/// </summary>
public sealed class KrotovCheck : IRuleCheck
{
    public string Rule => "krotov";

    public string ExportHelp => """
          --units K (40)   --inputs N (64; with --dataset the image's pixels)   --batch B (10)   --steps T (20)
          --p P (3)   --k K (7)   --delta D (0.4)   --r R (1)   --variant code|paper (code)   --precision (1e-30)
          --lr LR0 (0.04)   --schedule linear|constant (linear: lr_t = lr0 (1 - (t-1)/T) at step t)
          --dataset mnist|fashion-mnist|cifar10 (none: inputs uniform in [0, 1))   --data DIR   --seed S (1)
          --init FILE.npy (the initial W, K x N float32; default N(0, 1) from the seed)
        """;

    public CheckCase Export(Args a)
    {
        int units = a.Int("units", 40, 1), batch = a.Int("batch", 10, 1), steps = a.Int("steps", 20, 1, 10_000), k = a.Int("k", 7, 2), seed = a.Int("seed", 1);
        double p = a.Double("p", 3, 1), delta = a.Double("delta", 0.4, 0), r = a.Positive("r", 1), precision = a.Positive("precision", 1e-30), lr0 = a.Positive("lr", 0.04);
        string variant = a.Choice("variant", "code", "code", "paper"), schedule = a.Choice("schedule", "linear", "linear", "constant");
        string? dataset = a.Str("dataset") is null ? null : a.Choice("dataset", "mnist", Datasets.Names);
        string? data = a.Str("data"), init = a.Str("init");
        int inputs = a.Int("inputs", 64, 1);
        a.RejectUnknown($"check export {Rule}");
        if (k > units) throw new UsageException($"--k {k}: must be at most --units {units} (the k-th ranked unit is pushed away)");
        var rng = new Random(seed);
        var x = CheckInputs.Draw(steps, batch, [inputs], dataset, data, seed, flat: true);
        inputs = x.Shape[2];
        var w0 = init is null ? EngineChoice.Normal(units, inputs, rng) : InitialWeights.Read(init, units, inputs, $"{units} units of {inputs} inputs");
        var initial = new NdArray([units, inputs], w0.Data.Select(v => (double)v).ToArray());
        var options = new JsonObject
        {
            ["units"] = units, ["inputs"] = inputs, ["batch"] = batch, ["p"] = p, ["k"] = k, ["delta"] = delta, ["r"] = r, ["variant"] = variant,
            ["precision"] = precision, ["lr"] = lr0, ["schedule"] = schedule, ["seed"] = seed, ["dataset"] = dataset, ["init"] = init,
        };
        var plan = new JsonSchedule(schedule, lr0, steps);
        var c = new CheckCase
        {
            Rule = Rule, Options = options, StateNames = ["weights"], Initial = new Dictionary<string, NdArray> { ["weights"] = initial }, Inputs = x,
            Steps = Enumerable.Range(0, steps).Select(t => new JsonObject { ["lr"] = plan.At(t) }).ToList(), Reference = [],
        };
        return c.WithReference(Variants(c)[0]);
    }

    public string Readme(CheckCase c)
    {
        var o = Settings.Of(c);
        return $"""
            # A check case of Krotov & Hopfield's fast rule (`hebb check export krotov`)

            Replay these {c.Count} steps with your implementation, save its W after each, and run
            `hebb check compare krotov THIS_FOLDER YOURS`.

            - `case.json`: the options (K = {o.Units} units, N = {o.Inputs} inputs, p = {o.P}, k = {o.K}, Delta = {o.Delta}, R = {o.R},
              variant {o.Variant}, precision {o.Precision}) and `schedule`: the learning rate of each step ({o.Schedule} from {o.Lr0}).
            - `initial.weights.npy`: W before step 1, float32, shape ({o.Units}, {o.Inputs}); row mu is unit mu's weights.
            - `inputs.npy`: float32, shape ({c.Count}, {o.Batch}, {o.Inputs}); `inputs[t]` is the minibatch of step t + 1, a sample a row, in order.
            - `reference.weights.npy`: float64, shape ({c.Count}, {o.Units}, {o.Inputs}): the reference engine's W after each step.

            One step with learning rate lr on the minibatch v (B x N), as section 3 and eq. 2 define it:

                I[b, mu]  = sum_i sign(W[mu, i]) |W[mu, i]|^(p-1) v[b, i]        (eq. 2's metric inner product <W_mu, v_b>)
                for each sample b, rank the units by I[b, :] (equal currents: the lower index first);
                g[b, mu]  = 1 for the first-ranked unit, -Delta for the k-th ranked, 0 for the rest
                ds[mu, i] = sum_b g[b, mu] (R^p v[b, i] - I[b, mu] W[mu, i])
                paper:  W <- W + lr / B * ds                   (eq. 2 averaged over the minibatch)
                code:   W <- W + lr / max(max |ds|, precision) * ds   (the authors' notebook)

            Save your W after every step: one array of shape ({c.Count}, {o.Units}, {o.Inputs}) (`weights.npy` in a folder, or any
            `.npy` file), or one file per step in a folder (`step-0001.weights.npy`, ...); float32 or float64. Each step is
            replayed by the reference from your W before it and compared within the equivalence tests' tolerance.
            """;
    }

    public Tolerance Tolerance(CheckCase c) => KrotovTolerances.OneStep;

    public IReadOnlyList<CheckVariant> Variants(CheckCase c)
    {
        var o = Settings.Of(c);
        CheckVariant Make(string name, string description, Krotov.Variant v) => new(name, description, (before, t) =>
        {
            var w = ToArray2D(before["weights"]);
            var next = Krotov.fastStep(v, o.P, o.R, o.K, o.Delta, (double)c.Steps[t]["lr"]!, w, Batch(c, t));
            return new Dictionary<string, NdArray> { ["weights"] = new NdArray([o.Units, o.Inputs], next.Cast<double>().ToArray()) };
        });
        var paper = Make("paper", "eq. 2 averaged over the minibatch, as the paper states it", Krotov.Variant.Paper);
        var code = Make("code", "the authors' code: summed over the minibatch, divided by its largest |element|", Krotov.Variant.NewAuthorsCode(o.Precision));
        return o.Variant == "paper" ? [paper, code] : [code, paper];
    }

    public string? NearTie(CheckCase c, int step, State before, State theirs, CheckVariant expected)
    {
        var o = Settings.Of(c);
        var terms = Terms(c, step, before, o);
        return KrotovDiagnosis.NearTie(terms, before, theirs, expected.Name, (double)c.Steps[step]["lr"]!, o.Precision, o.K,
            Tolerance(c), KrotovTolerances.Currents, "unit");
    }

    public IReadOnlyList<string> Diagnose(CheckCase c, int step, State before, State theirs, CheckVariant expected)
    {
        var o = Settings.Of(c);
        var terms = Terms(c, step, before, o);
        return KrotovDiagnosis.Explain(terms, before, theirs, Hypotheses(terms, ToArray2D(before["weights"]), Batch(c, step), o.P, o.R, o.K, o.Delta),
            expected.Name, (double)c.Steps[step]["lr"]!, step, new JsonSchedule(o.Schedule, o.Lr0, c.Count), o.Precision, o.K, Tolerance(c), "unit");
    }

    /// <summary>The departures people make from the fast rule, each as the direction it gives from this state; the
    /// explanations call a unit <paramref name="unit"/> and the rank pushed away <paramref name="rank"/> (NNL-CONV: a
    /// filter, m).</summary>
    public static IReadOnlyList<KrotovHypothesis> Hypotheses(KrotovTerms terms, double[,] w, double[][] batch, double p, double r, int k, double delta,
                                                             string unit = "unit", string rank = "k")
    {
        var list = new List<KrotovHypothesis>
        {
            new("as written", "", terms.Direction()),
            new("no decay term", "the decay term -<W, v> W of eq. 2 is missing: your update is the Hebbian term g R^p v alone.", terms.Direction(KrotovMistake.NoDecay)),
            new("samples ranked", "the ranking is taken over the wrong axis: each unit ranks the samples (g = 1 for a unit's strongest sample), where each sample should rank the units.", terms.Direction(KrotovMistake.SamplesRanked)),
            new($"{rank} + 1", $"{rank} is off by one: yours pushes away the {KrotovRecipe.Ordinal(k + 1)}-ranked {unit}, the rule the {KrotovRecipe.Ordinal(k)} (an index {rank} where {rank} - 1 was meant).", terms.Direction(KrotovMistake.RankKPlusOne)),
            new($"{rank} - 1", $"{rank} is off by one: yours pushes away the {KrotovRecipe.Ordinal(k - 1)}-ranked {unit}, the rule the {KrotovRecipe.Ordinal(k)}.", terms.Direction(KrotovMistake.RankKMinusOne)),
            new("+Delta", $"the anti-Hebbian term has the wrong sign: yours pulls the {rank}-th {unit} towards the input (+Delta), the rule pushes it away (-Delta).", terms.Direction(KrotovMistake.DeltaSign)),
        };
        if (p != 2)
            list.Add(new("no metric", "the currents are the plain dot product W v, not eq. 2's metric inner product <W, v> = sum sign(W)|W|^(p-1) v (the two agree only for p = 2).",
                new KrotovTerms(w, batch, p, r, k, delta, metric: false).Direction(KrotovMistake.None)));
        return list;
    }

    static KrotovTerms Terms(CheckCase c, int step, State before, Settings o) =>
        new(ToArray2D(before["weights"]), Batch(c, step), o.P, o.R, o.K, o.Delta);

    /// <summary>The minibatch of step <paramref name="t"/>, a sample a row.</summary>
    static double[][] Batch(CheckCase c, int t)
    {
        var x = c.Inputs.Item(t);
        return Enumerable.Range(0, x.Shape[0]).Select(b => x.Data.AsSpan(b * x.Shape[1], x.Shape[1]).ToArray()).ToArray();
    }

    public static double[,] ToArray2D(NdArray a)
    {
        var w = new double[a.Shape[0], a.Shape[1]];
        Buffer.BlockCopy(a.Data, 0, w, 0, a.Data.Length * sizeof(double));
        return w;
    }

    /// <summary>The case's options, read back from case.json.</summary>
    sealed record Settings(int Units, int Inputs, int Batch, double P, int K, double Delta, double R, string Variant, double Precision, double Lr0, string Schedule)
    {
        public static Settings Of(CheckCase c)
        {
            var o = c.Options;
            return new((int)o["units"]!, (int)o["inputs"]!, (int)o["batch"]!, (double)o["p"]!, (int)o["k"]!, (double)o["delta"]!, (double)o["r"]!,
                (string)o["variant"]!, (double)o["precision"]!, (double)o["lr"]!, (string)o["schedule"]!);
        }
    }
}

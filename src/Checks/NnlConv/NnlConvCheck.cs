using System.Text.Json.Nodes;
using Hebb.Data;
using Hebb.Reference;
using Hebb.Runs;
using Hebb.Verification;

namespace Hebb.Checks;

/// <summary>
/// <c>hebb check</c> for NNL-CONV's local rule (Grinberg, Hopfield &amp; Krotov 2019, eq. 1-2): each step takes every
/// W x W x C patch (stride 1, no padding) of a few images, each normalized to a unit vector (section 2), and makes one
/// step of Krotov &amp; Hopfield's fast rule with p = 2 on them. The variants are Krotov's (paper, code); the diagnosis adds
/// the patches' own terms (normalization, the layout of a patch vector) to the rule's.
/// </summary>
public sealed class NnlConvCheck : IRuleCheck
{
    public string Rule => "nnl-conv";

    public string ExportHelp => """
          --filters K (16)   --window W (4)   --m M (2)   --delta D (0.2)   --batch B (2 images a step)   --steps T (10)
          --variant paper|code (paper)   --lr LR0 (1 with paper, 0.02 with code)   --schedule linear|constant (linear)
          --normalize-patches on|off (on)   --precision (1e-30)
          --dataset mnist|fashion-mnist|cifar10 (none: images uniform in [0, 1) of --height 8 --width 8 --channels 3)
          --data DIR   --seed S (1)   --init FILE.npy (the initial filters, K x C*W*W float32; default N(0, 1))
        """;

    public CheckCase Export(Args a)
    {
        int filters = a.Int("filters", 16, 1), window = a.Int("window", 4, 1), m = a.Int("m", 2, 2), batch = a.Int("batch", 2, 1), steps = a.Int("steps", 10, 1, 10_000), seed = a.Int("seed", 1);
        string variant = a.Choice("variant", "paper", "paper", "code"), schedule = a.Choice("schedule", "linear", "linear", "constant");
        double delta = a.Double("delta", 0.2, 0), precision = a.Positive("precision", 1e-30), lr0 = a.Positive("lr", variant == "paper" ? 1.0 : 0.02);
        bool normalize = a.Choice("normalize-patches", "on", "on", "off") == "on";
        string? dataset = a.Str("dataset") is null ? null : a.Choice("dataset", "cifar10", Datasets.Names);
        string? data = a.Str("data"), init = a.Str("init");
        int height = a.Int("height", 8, 1), width = a.Int("width", 8, 1), channels = a.Int("channels", 3, 1);
        a.RejectUnknown($"check export {Rule}");
        if (m > filters) throw new UsageException($"--m {m}: must be at most --filters {filters} (the m-th ranked filter is pushed away)");
        var x = CheckInputs.Draw(steps, batch, [channels, height, width], dataset, data, seed);
        (channels, height, width) = (x.Shape[2], x.Shape[3], x.Shape[4]);
        if (window > Math.Min(height, width)) throw new UsageException($"--window {window}: must be at most the image's side ({height}x{width})");
        int patch = channels * window * window;
        var w0 = init is null ? EngineChoice.Normal(filters, patch, new Random(seed)) : InitialWeights.Read(init, filters, patch, $"{filters} filters of {window}x{window}x{channels}");
        var options = new JsonObject
        {
            ["filters"] = filters, ["window"] = window, ["channels"] = channels, ["height"] = height, ["width"] = width, ["batch"] = batch, ["m"] = m,
            ["delta"] = delta, ["variant"] = variant, ["precision"] = precision, ["lr"] = lr0, ["schedule"] = schedule, ["normalize_patches"] = normalize,
            ["seed"] = seed, ["dataset"] = dataset, ["init"] = init,
        };
        var plan = new JsonSchedule(schedule, lr0, steps);
        var c = new CheckCase
        {
            Rule = Rule, Options = options, StateNames = ["weights"],
            Initial = new Dictionary<string, NdArray> { ["weights"] = new NdArray([filters, patch], w0.Data.Select(v => (double)v).ToArray()) },
            Inputs = x, Steps = Enumerable.Range(0, steps).Select(t => new JsonObject { ["lr"] = plan.At(t) }).ToList(), Reference = [],
        };
        return c.WithReference(Variants(c)[0]);
    }

    public string Readme(CheckCase c)
    {
        var o = Settings.Of(c);
        int oh = o.Height - o.Window + 1, ow = o.Width - o.Window + 1;
        return $"""
            # A check case of NNL-CONV's local rule (`hebb check export nnl-conv`)

            Replay these {c.Count} steps with your implementation, save its filters after each, and run
            `hebb check compare nnl-conv THIS_FOLDER YOURS`.

            - `case.json`: the options (K = {o.Filters} filters of {o.Window}x{o.Window}x{o.Channels}, m = {o.M}, Delta = {o.Delta}, variant {o.Variant},
              patches {(o.Normalize ? "normalized to unit vectors" : "raw")}) and `schedule`: the learning rate of each step ({o.Schedule} from {o.Lr0}).
            - `initial.weights.npy`: the filters before step 1, float32, shape ({o.Filters}, {o.Channels * o.Window * o.Window}); a filter is
              channel-major: index c*W*W + dy*W + dx.
            - `inputs.npy`: float32, shape ({c.Count}, {o.Batch}, {o.Channels}, {o.Height}, {o.Width}); `inputs[t]` holds the images of step t + 1.
            - `reference.weights.npy`: float64, shape ({c.Count}, {o.Filters}, {o.Channels * o.Window * o.Window}): the reference's filters after each step.

            One step with learning rate lr on the images of the step:

                v = every {o.Window}x{o.Window} patch (stride 1, no padding: {oh}x{ow} positions) of every image, as a channel-major
                    vector (c, dy, dx){(o.Normalize ? ", divided by its Euclidean norm (a zero patch stays zero)" : "")}: B' = {o.Batch * oh * ow} patches
                then Krotov & Hopfield's fast rule with p = 2, R = 1 on them (eq. 1-2 of the paper):
                I[b, mu]  = sum_i W[mu, i] v[b, i]
                for each patch b, rank the filters by I[b, :] (equal currents: the lower index first);
                g[b, mu]  = 1 for the first-ranked filter, -Delta for the m-th ranked, 0 for the rest
                ds[mu, i] = sum_b g[b, mu] (v[b, i] - I[b, mu] W[mu, i])
                paper:  W <- W + lr / B' * ds                  (eq. 2 averaged over the patches)
                code:   W <- W + lr / max(max |ds|, precision) * ds

            Save your filters after every step: one array of shape ({c.Count}, {o.Filters}, {o.Channels * o.Window * o.Window}) (`weights.npy` in a
            folder, or any `.npy` file), or one file per step (`step-0001.weights.npy`, ...); float32 or float64.
            """;
    }

    public Tolerance Tolerance(CheckCase c) => KrotovTolerances.OneStep;

    public IReadOnlyList<CheckVariant> Variants(CheckCase c)
    {
        var o = Settings.Of(c);
        CheckVariant Make(string name, string description, Krotov.Variant v) => new(name, description, (before, t) =>
        {
            var next = Krotov.fastStep(v, 2.0, 1.0, o.M, o.Delta, (double)c.Steps[t]["lr"]!, KrotovCheck.ToArray2D(before["weights"]), Patches(c, t, o, PatchReading.AsWritten));
            return new Dictionary<string, NdArray> { ["weights"] = new NdArray(before["weights"].Shape, next.Cast<double>().ToArray()) };
        });
        var paper = Make("paper", "eq. 2 averaged over the minibatch of patches, as the paper states it", Krotov.Variant.Paper);
        var code = Make("code", "Krotov & Hopfield's code: summed over the patches, divided by its largest |element|", Krotov.Variant.NewAuthorsCode(o.Precision));
        return o.Variant == "paper" ? [paper, code] : [code, paper];
    }

    public string? NearTie(CheckCase c, int step, State before, State theirs, CheckVariant expected)
    {
        var o = Settings.Of(c);
        var terms = new KrotovTerms(KrotovCheck.ToArray2D(before["weights"]), Patches(c, step, o, PatchReading.AsWritten), 2.0, 1.0, o.M, o.Delta);
        return KrotovDiagnosis.NearTie(terms, before, theirs, expected.Name, (double)c.Steps[step]["lr"]!, o.Precision, o.M, Tolerance(c), KrotovTolerances.Currents, "filter");
    }

    public IReadOnlyList<string> Diagnose(CheckCase c, int step, State before, State theirs, CheckVariant expected)
    {
        var o = Settings.Of(c);
        var w = KrotovCheck.ToArray2D(before["weights"]);
        var batch = Patches(c, step, o, PatchReading.AsWritten);
        var terms = new KrotovTerms(w, batch, 2.0, 1.0, o.M, o.Delta);
        var hypotheses = KrotovCheck.Hypotheses(terms, w, batch, 2.0, 1.0, o.M, o.Delta, "filter", "m").ToList();
        if (o.Normalize)
            hypotheses.Add(new("raw patches", "the patches are not normalized to unit vectors (section 2's patch normalization is missing).",
                new KrotovTerms(w, Patches(c, step, o, PatchReading.Raw), 2.0, 1.0, o.M, o.Delta).Direction()));
        if (o.Channels > 1)
            hypotheses.Add(new("(dy, dx, c) patches", "your patch vectors are flattened height-width-channel, (dy, dx, c), while the filters are channel-major, (c, dy, dx): a filter's element c*W*W + dy*W + dx meets the wrong pixel.",
                new KrotovTerms(w, Patches(c, step, o, PatchReading.HeightWidthChannel), 2.0, 1.0, o.M, o.Delta).Direction()));
        return KrotovDiagnosis.Explain(terms, before, theirs, hypotheses, expected.Name, (double)c.Steps[step]["lr"]!, step,
            new JsonSchedule(o.Schedule, o.Lr0, c.Count), o.Precision, o.M, Tolerance(c), "filter");
    }

    /// <summary>How the check reads a step's patches: as section 2 writes them, or as one of the departures.</summary>
    enum PatchReading { AsWritten, Raw, HeightWidthChannel }

    /// <summary>The patches of step <paramref name="t"/>'s images (the reference's NnlConv.patches and unitPatch), image by
    /// image, positions row by row.</summary>
    static double[][] Patches(CheckCase c, int t, Settings o, PatchReading reading)
    {
        var g = new NnlConv.Geometry(o.Height, o.Width, o.Channels, o.Window, 1, 0, 0, 1, 1);
        var images = c.Inputs.Item(t);
        int size = o.Channels * o.Height * o.Width, ww = o.Window * o.Window;
        var list = new List<double[]>();
        for (int b = 0; b < o.Batch; b++)
            foreach (var raw in NnlConv.patches(g, images.Data.AsSpan(b * size, size).ToArray()))
            {
                var v = reading == PatchReading.HeightWidthChannel
                    ? Enumerable.Range(0, raw.Length).Select(j => raw[(j % o.Channels) * ww + j / o.Channels]).ToArray()   // element j = (dy, dx, c)
                    : raw;
                list.Add(o.Normalize && reading != PatchReading.Raw ? NnlConv.unitPatch(v) : v);
            }
        return [.. list];
    }

    sealed record Settings(int Filters, int Window, int Channels, int Height, int Width, int Batch, int M, double Delta, string Variant, double Precision,
                           double Lr0, string Schedule, bool Normalize)
    {
        public static Settings Of(CheckCase c)
        {
            var o = c.Options;
            return new((int)o["filters"]!, (int)o["window"]!, (int)o["channels"]!, (int)o["height"]!, (int)o["width"]!, (int)o["batch"]!, (int)o["m"]!,
                (double)o["delta"]!, (string)o["variant"]!, (double)o["precision"]!, (double)o["lr"]!, (string)o["schedule"]!, (bool)o["normalize_patches"]!);
        }
    }
}

using System.Text.Json.Nodes;
using Hebb.Data;
using Hebb.Reference;
using Hebb.Runs;
using Hebb.Verification;

namespace Hebb.Checks;

/// <summary>
/// <c>hebb check</c> for CSNN's masked multi-head sconv layer (Stuhr &amp; Brauer, section III): a case of a few steps of
/// one layer on small images, the state each map's weights and masks; the variants the case's options as the paper
/// states them and, for masks between layers, the authors' code's pairing of eq. 9; a diagnosis of the weights and the
/// masks apart, by the rule's terms (the masked BMU, the maps updated, eq. 4's unmasked patch, eq. 5's renormalization,
/// eq. 3's neighbourhood, eq. 6's average, the mask rule and its gamma, the NH option, the rates, the patch layout).
/// </summary>
public sealed class CsnnCheck : IRuleCheck
{
    public string Rule => "csnn";

    public string ExportHelp => """
          --grid RxCxM (4x4x2: a R x C grid of neurons in each of M maps)   --kernel K (3)   --stride S (1)
          --padding P ((K-1)/2, "same" at stride 1)   --masks input|between (input)   --rule 12|13 (12)   --gamma G (1)
          --sigma S (1)   --all-bmus (every map's BMU learns)   --mask-nh (masks move by h)   --pairing paper|code (paper)
          --batch B (1 image a step)   --steps T (8)   --lr A (0.1)   --mask-lr B (0.005)   --schedule constant|linear (constant)
          --dataset mnist|fashion-mnist|cifar10 (none: images uniform in [0, 1) of --height 6 --width 6 --channels 3)
          --data DIR   --seed S (1: weights and masks U(-1, 1), the images)
        """;

    public CheckCase Export(Args a)
    {
        var grid = (a.Str("grid") ?? "4x4x2").Split('x');
        if (grid.Length != 3 || !grid.All(g => int.TryParse(g, out int v) && v >= 1))
            throw new UsageException($"--grid {a.Str("grid")}: RxCxM expected (rows x columns x maps, each >= 1), for example 4x4x2");
        int rows = int.Parse(grid[0]), cols = int.Parse(grid[1]), maps = int.Parse(grid[2]);
        int kernel = a.Int("kernel", 3, 1), stride = a.Int("stride", 1, 1), padding = a.Int("padding", (kernel - 1) / 2, 0);
        int batch = a.Int("batch", 1, 1), steps = a.Int("steps", 8, 1, 10_000), seed = a.Int("seed", 1);
        string masks = a.Choice("masks", "input", "input", "between"), rule = a.Choice("rule", "12", "12", "13"), pairing = a.Choice("pairing", "paper", "paper", "code");
        double gamma = a.Double("gamma", 1, 0, 1), sigma = a.Positive("sigma", 1), lr = a.Double("lr", 0.1, 0), maskLr = a.Double("mask-lr", 0.005, 0);
        string schedule = a.Choice("schedule", "constant", "constant", "linear");
        bool allBmus = a.Has("all-bmus"), nh = a.Has("mask-nh");
        if (pairing == "code" && masks != "between") throw new UsageException("--pairing code: the authors' pairing is of masks between layers (--masks between)");
        string? dataset = a.Str("dataset") is null ? null : a.Choice("dataset", "cifar10", Datasets.Names);
        string? data = a.Str("data");
        int height = a.Int("height", 6, 1), width = a.Int("width", 6, 1), channels = a.Int("channels", 3, 1);
        a.RejectUnknown($"check export {Rule}");
        var x = CheckInputs.Draw(steps, batch, [channels, height, width], dataset, data, seed);
        (channels, height, width) = (x.Shape[2], x.Shape[3], x.Shape[4]);
        var layer = new Hebb.Contracts.CsnnOptions
        {
            Height = height, Width = width, Channels = channels, Kernel = kernel, Stride = stride, Padding = padding, GridRows = rows, GridCols = cols, Maps = maps,
            Gamma = gamma, Sigma = sigma, MaskKind = masks == "input" ? Hebb.Contracts.CsnnMaskKind.Input : Hebb.Contracts.CsnnMaskKind.BetweenLayers,
        };
        try { layer.Validate(); }
        catch (ArgumentOutOfRangeException ex)
        {
            throw Args.OptionError(ex, new Dictionary<string, string> { ["Kernel"] = "--kernel", ["Padding"] = "--padding", ["Stride"] = "--stride", ["Sigma"] = "--sigma", ["Gamma"] = "--gamma" });
        }
        var rng = new Random(seed);
        var initial = new Dictionary<string, NdArray>();
        for (int h = 0; h < maps; h++)
        {
            initial[$"weights/{h}"] = new NdArray([layer.Neurons, layer.PatchSize], Randomize.Uniform(layer.Neurons, layer.PatchSize, rng).Data.Select(v => (double)v).ToArray());
            initial[$"masks/{h}"] = new NdArray([layer.Neurons, layer.MaskSize], Randomize.Uniform(layer.Neurons, layer.MaskSize, rng).Data.Select(v => (double)v).ToArray());
        }
        var options = new JsonObject
        {
            ["height"] = height, ["width"] = width, ["channels"] = channels, ["kernel"] = kernel, ["stride"] = stride, ["padding"] = padding,
            ["grid_rows"] = rows, ["grid_cols"] = cols, ["maps"] = maps, ["masks"] = masks, ["rule"] = rule, ["gamma"] = gamma, ["sigma"] = sigma,
            ["all_bmus"] = allBmus, ["mask_nh"] = nh, ["pairing"] = pairing, ["batch"] = batch, ["lr"] = lr, ["mask_lr"] = maskLr, ["schedule"] = schedule,
            ["seed"] = seed, ["dataset"] = dataset,
        };
        var somPlan = new JsonSchedule(schedule, lr, steps);
        var maskPlan = new JsonSchedule(schedule, maskLr, steps);
        var names = Enumerable.Range(0, maps).SelectMany(h => new[] { $"weights/{h}", $"masks/{h}" }).ToList();
        var c = new CheckCase
        {
            Rule = Rule, Options = options, StateNames = names, Initial = initial, Inputs = x,
            Steps = Enumerable.Range(0, steps).Select(t => new JsonObject { ["lr"] = somPlan.At(t), ["mask_lr"] = maskPlan.At(t) }).ToList(), Reference = [],
        };
        return c.WithReference(Variants(c)[0]);
    }

    public string Readme(CheckCase c)
    {
        var o = CsnnSettings.Of(c);
        int oh = (o.Height + 2 * o.Padding - o.Kernel) / o.Stride + 1, ow = (o.Width + 2 * o.Padding - o.Kernel) / o.Stride + 1;
        return $"""
            # A check case of CSNN's masked sconv layer (`hebb check export csnn`)

            Replay these {c.Count} steps with your implementation, save each map's weights and masks after each, and run
            `hebb check compare csnn THIS_FOLDER YOURS`.

            - `case.json`: the options ({o.Maps} map(s) of {o.GridRows} x {o.GridCols} neurons, {o.Kernel}x{o.Kernel}x{o.Channels} patches, stride {o.Stride},
              zero padding {o.Padding}, {(o.Masks == "input" ? "input masks (eq. 7)" : $"masks between layers (eq. 9{(o.Pairing == "code" ? ", the authors' code's pairing" : "")})")}, eq. {o.MaskRule}
              with gamma = {o.Gamma}, sigma = {o.Sigma}{(o.AllBmus ? ", every map's BMU learns (D-BMU)" : "")}{(o.MaskNeighbourhood ? ", masks move by h (NH)" : "")}) and `schedule`:
              each step's SOM rate `lr` (a of eq. 6) and mask rate `mask_lr` (eq. 14 / 15).
            - `initial.weights.H.npy`, `initial.masks.H.npy` for each map H: float32, ({o.GridRows * o.GridCols}, {o.PatchSize}) and ({o.GridRows * o.GridCols}, {o.MaskSize});
              neuron i sits at grid row i / {o.GridCols}, column i % {o.GridCols}; a patch (and a weight vector, and an input mask) is
              channel-major: index c*K*K + dy*K + dx.
            - `inputs.npy`: float32, ({c.Count}, {o.Batch}, {o.Channels}, {o.Height}, {o.Width}); `inputs[t]` holds the images of step t + 1.
            - `reference.weights.H.npy`, `reference.masks.H.npy`: float64, the reference's state after each step, steps first.

            One step with rates a (lr) and b (mask_lr) on the P = {o.Batch * oh * ow} patches ({oh}x{ow} positions an image) of the step's images,
            every quantity from the state before the step:

                score of neuron i of map h for patch p: (p o m_i) . w_i                          (eq. 7-8; eq. 9: m_i's channel
                                                                                                 coefficient at every position)
                BMU c_h(p) = argmax_i of the scores (ties: the lower index)                      (eq. 2)
                {(o.AllBmus ? "every map learns from every patch" : "only the map whose BMU scores highest learns from p (ties: the lower map)")}
                h_i = exp(-d(i, c)^2 / (2 sigma^2)), d the Euclidean distance on the grid         (eq. 3)
                w_i <- normalize(w_i + a / P * sum over p of h_i p), p unmasked; a patch another map won counts in P   (eq. 4-6, 5)
                m_i <- m_i + b / (P Q) * sum over the patches whose BMU is i{(o.MaskNeighbourhood ? " (every neuron, times h_i)" : "")} of eq. {o.MaskRule}
                       on each of its Q mask inputs (the patch for input masks; each position's channels between layers)
                eq. 12: (y^_i) o (p - gamma sum over every mask k of the map of y^_k o m_k), y^_k = p o m_k
                eq. 13: Oja's y^_i o (p' - y^_i o m_i) with p' = p - gamma sum over k < i of y^_k o m_k

            Save your state after every step: in a folder, one array per tensor with the steps first (`weights.0.npy` of
            shape ({c.Count}, {o.GridRows * o.GridCols}, {o.PatchSize}), `masks.0.npy`, ... for each map), or one file per step and tensor
            (`step-0001.weights.0.npy`, ...); float32 or float64.
            """;
    }

    public Tolerance Tolerance(CheckCase c) => CsnnTolerances.OneStep;

    public IReadOnlyList<CheckVariant> Variants(CheckCase c)
    {
        var o = CsnnSettings.Of(c);
        CheckVariant Make(string name, string description, string pairing) => new(name, description, (before, t) =>
            new CsnnTerms(o with { Pairing = pairing }).ReferenceStep(before, c.Inputs.Item(t), Rate(c, t, "lr"), Rate(c, t, "mask_lr")));
        var paper = Make("paper", "eq. 2-15 as the paper states them, with the case's options", "paper");
        if (o.Masks != "between") return [paper];
        var code = Make("code", "the authors' code's pairing of eq. 9: the channel-major masked patch dotted with position-major weights", "code");
        return o.Pairing == "code" ? [code, paper] : [paper, code];
    }

    public string? NearTie(CheckCase c, int step, State before, State theirs, CheckVariant expected)
    {
        var o = CsnnSettings.Of(c) with { Pairing = expected.Name == "code" ? "code" : "paper" };
        var terms = new CsnnTerms(o);
        var maps = terms.Maps(before);
        var images = c.Inputs.Item(step);
        var patches = terms.Patches(images);
        var bmus = terms.Bmus(maps, patches, o.AllBmus);
        double a = Rate(c, step, "lr"), b = Rate(c, step, "mask_lr");
        var tol = CsnnTolerances.Scores;
        bool Near(double x, double y) => Math.Abs(x - y) <= tol.Atol + tol.Rtol * Math.Max(Math.Abs(x), Math.Abs(y));
        // Candidates: a map's BMU and its runner-up, and (one map learning) the best map and the next, near-tied.
        var candidates = new List<(int Patch, int[] Bmus, string What)>();
        for (int q = 0; q < patches.Length; q++)
        {
            var scores = maps.Select(m => Csnn.scores(o.Kind, m, patches[q])).ToArray();
            var best = scores.Select(Csnn.bmu).ToArray();
            for (int h = 0; h < maps.Length; h++)
            {
                if (bmus[q][h] < 0) continue;
                var order = Enumerable.Range(0, scores[h].Length).OrderByDescending(i => scores[h][i]).ThenBy(i => i).ToArray();
                if (order.Length > 1 && Near(scores[h][order[0]], scores[h][order[1]]))
                {
                    var alt = (int[])bmus[q].Clone();
                    alt[h] = order[1];
                    candidates.Add((q, alt, $"patch {q}'s BMU in map {h}: neurons {order[0]} and {order[1]} score {scores[h][order[0]]:g10} and {scores[h][order[1]]:g10}; yours took {order[1]}"));
                }
            }
            if (!o.AllBmus && maps.Length > 1)
            {
                var top = Enumerable.Range(0, maps.Length).OrderByDescending(h => scores[h][best[h]]).ThenBy(h => h).ToArray();
                if (Near(scores[top[0]][best[top[0]]], scores[top[1]][best[top[1]]]))
                {
                    var alt = Enumerable.Repeat(-1, maps.Length).ToArray();
                    alt[top[1]] = best[top[1]];
                    candidates.Add((q, alt, $"patch {q}'s best map: maps {top[0]} and {top[1]} have BMU scores {scores[top[0]][best[top[0]]]:g10} and {scores[top[1]][best[top[1]]]:g10}; yours updated map {top[1]}"));
                }
            }
        }
        if (candidates.Count == 0) return null;
        var chosen = bmus.Select(x => (int[])x.Clone()).ToArray();
        var taken = new List<string>();
        double dist = StateMatch.Distance(terms.Step(before, images, a, b, bmus: chosen), theirs);
        foreach (var (q, alt, what) in candidates)
        {
            var trial = chosen.Select(x => (int[])x.Clone()).ToArray();
            trial[q] = alt;
            double d = StateMatch.Distance(terms.Step(before, images, a, b, bmus: trial), theirs);
            if (d < dist) { dist = d; chosen = trial; taken.Add(what); }
        }
        if (taken.Count == 0 || !StateMatch.Of(terms.Step(before, images, a, b, bmus: chosen), theirs, Tolerance(c)).Pass) return null;
        return string.Join("; ", taken) + $" (within the float32 scores' tolerance {tol.Atol:g3} + {tol.Rtol:g3} |score|). A near-tie read the other way, not a bug.";
    }

    public IReadOnlyList<string> Diagnose(CheckCase c, int step, State before, State theirs, CheckVariant expected)
    {
        var o = CsnnSettings.Of(c) with { Pairing = expected.Name == "code" ? "code" : "paper" };
        var terms = new CsnnTerms(o);
        var images = c.Inputs.Item(step);
        double a = Rate(c, step, "lr"), b = Rate(c, step, "mask_lr");
        var tol = Tolerance(c);
        var lines = new List<string>();
        var expectedState = terms.Step(before, images, a, b);
        var m = StateMatch.Of(expectedState, theirs, tol);
        foreach (var (name, rows) in m.BadRows) lines.Add($"{name}: neuron(s) {StateMatch.List(rows)} differ beyond the tolerance");
        var patches = terms.Patches(images);
        var bmus = terms.Bmus(terms.Maps(before), patches, o.AllBmus);
        lines.Add($"this step's {patches.Length} patches: " + string.Join(", ", Enumerable.Range(0, o.Maps).Select(h =>
            $"map {h} learned from {bmus.Count(x => x[h] >= 0)} (BMUs {StateMatch.List(bmus.Where(x => x[h] >= 0).Select(x => x[h]).Distinct().Order().ToList(), 8)})")));
        foreach (var family in new[] { "weights", "masks" })
        {
            if (!m.BadRows.Keys.Any(k => k.StartsWith(family + "/"))) { lines.Add($"{family}: yours match the step"); continue; }
            var explained = new List<string>();
            foreach (var mistake in Enum.GetValues<CsnnMistake>().Where(x => x != CsnnMistake.None))
            {
                var alt = terms.Step(before, images, a, b, mistake);
                if (Family(StateMatch.Of(alt, theirs, tol), family)) explained.Add(Explain(mistake, o, a, b));
            }
            if (family == "masks" && explained.Count == 0)
            {
                // The masks' rate: the step's mask change fitted with a free scale.
                var unit = terms.Step(before, images, a, 1.0);
                double dot = 0, norm = 0;
                foreach (var name in c.StateNames.Where(n => n.StartsWith("masks/")))
                    for (int i = 0; i < before[name].Data.Length; i++)
                    {
                        double d = unit[name].Data[i] - before[name].Data[i];
                        dot += (theirs[name].Data[i] - before[name].Data[i]) * d;
                        norm += d * d;
                    }
                if (norm > 0 && Family(StateMatch.Of(terms.Step(before, images, a, dot / norm), theirs, tol), family))
                    explained.Add($"the masks move in the rule's direction at a rate of {dot / norm:g6}, where the case's mask_lr is {b:g6} at step {step + 1}.");
            }
            lines.Add(explained.Count > 0 ? $"{family}: explained: {string.Join(" Or: ", explained)}"
                : $"{family}: not explained by any single departure tried ({string.Join(", ", Enum.GetValues<CsnnMistake>().Where(x => x != CsnnMistake.None))}): compare the neurons above with eq. {(family == "weights" ? "2-6" : "10-15")}");
        }
        return lines;
    }

    static bool Family(StateMatch m, string family) => !m.BadRows.Keys.Any(k => k.StartsWith(family + "/"));

    static double Rate(CheckCase c, int t, string name) => (double)c.Steps[t][name]!;

    static string Explain(CsnnMistake mistake, CsnnSettings o, double a, double b) => mistake switch
    {
        CsnnMistake.UnmaskedBmu => "the BMU is chosen by the unmasked score p . w (eq. 1); eq. 8 chooses it by the masked patch, (p o m) . w.",
        CsnnMistake.OtherMaps => o.AllBmus
            ? "only the best map's BMU learns; the case's D-BMU option updates every map's."
            : "every map's BMU learns from each patch; only the map whose BMU scores highest should (section III-E; every map is the D-BMU option).",
        CsnnMistake.MaskedPatchLearned => "the weights learn from the masked patch p o m_i; eq. 4 takes the unmasked patch p (the masked patch decides only the scores and the BMU).",
        CsnnMistake.NoRenormalization => "eq. 5's renormalization is missing: the weight vectors are not scaled back to unit length after the update.",
        CsnnMistake.NeighbourhoodWithout2 => "the neighbourhood is exp(-d^2 / sigma^2); eq. 3's is exp(-d^2 / (2 sigma^2)).",
        CsnnMistake.BmuOnly => "only the BMU's weights move; eq. 3-4 move every neuron of the map by its neighbourhood h.",
        CsnnMistake.AveragedOverWonPatches => "eq. 6 is averaged over the patches the map won; the reference (the authors' code) averages over every patch of the batch, a patch another map won counting with h = 0.",
        CsnnMistake.OtherMaskRule => o.MaskRule == "12"
            ? "the masks follow eq. 13 (Oja's rule on the input modified by the earlier masks); the case's is eq. 12 (Hebb's on the input modified by all the map's masks)."
            : "the masks follow eq. 12 (Hebb's rule on the input modified by all the map's masks); the case's is eq. 13 (Oja's, earlier masks).",
        CsnnMistake.GammaZero => $"the masks' input is not modified by the masks (gamma = 0): eq. {o.MaskRule} subtracts gamma = {o.Gamma} times the sum of y^_k o m_k from the patch.",
        CsnnMistake.OtherMaskNeighbourhood => o.MaskNeighbourhood
            ? "only the BMU's mask moves; the case's NH option moves every mask by h."
            : "every mask moves by the neighbourhood h (the NH option); eq. 14 / 15 move only the BMU's mask.",
        CsnnMistake.RatesSwapped => $"the SOM's rate and the masks' are swapped: yours a = {b:g6}, mask rate {a:g6}; the case's a = {a:g6}, mask rate {b:g6}.",
        CsnnMistake.PatchLayout => "your patch vectors are flattened (dy, dx, c) while the weights and masks are channel-major (c, dy, dx).",
        _ => mistake.ToString(),
    };
}

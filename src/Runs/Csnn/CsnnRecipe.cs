using System.Diagnostics;
using System.Text.Json.Nodes;
using Hebb.Contracts;
using Hebb.Data;
using Hebb.Evaluation;
using Spectre.Console;

namespace Hebb.Runs;

/// <summary>
/// CSNN (Stuhr &amp; Brauer), so far one masked multi-head sconv layer trained on a dataset's images:
/// <c>hebb train csnn</c> steps it (section III: eq. 1-15) on minibatches of whole images with constant rates, and
/// writes each map's filters on its grid, its masks, the neuron utilization per input along the way (Fig. 5, left),
/// and the weights and masks. The models of several layers (batch norm, pooling, layer-wise training), their encoder
/// for the probes and their presets are not built yet (issue 31).
/// </summary>
public sealed class CsnnRecipe : IRecipe
{
    public string Rule => "csnn";

    public string TrainHelp => """
        hebb train csnn [options]
          Trains one masked multi-head sconv layer of CSNN (Stuhr & Brauer, section III) on whole images: each step
          scores every patch of a minibatch of images against every neuron of every map through its mask (eq. 7-9),
          moves the best map's BMU and its grid neighbours toward the unmasked patches (eq. 2-6) and the BMU's mask by
          eq. 12 or 13 (eq. 14 / 15), with constant rates. Defaults: D-CSNN's first layer (12x12 grids, 3 maps, 3x3
          kernel, stride 1, padding 1, input masks, eq. 12 with gamma 1, sigma 1), batch 1, 2,000 steps (the authors'
          steps per layer). Not yet: the deeper layers, batch norm, pooling, the probes' encoder (issue 31).

          --dataset cifar10|mnist|fashion-mnist   (cifar10)      --data DIR
          --grid RxCxM (12x12x3: R x C neurons per map, M maps)   --kernel K (3)   --stride S (1)   --padding P (1)
          --sigma S (1.0)   --rule 12|13 (12)   --gamma G (1 for rule 12, 0.5 for rule 13)   --all-bmus   --mask-nh
          --lr A (0.1, the SOM's)   --mask-lr A (0.005)   --batch B (1)   --steps T (2000)
          --input-norm scalar|channel (scalar: one mean and deviation over all training pixels, the authors' code;
                       channel: per channel)
          --engine accelerated|reference   --backend X   --seed S (1: initial weights and masks U(-1, 1), image order)
          --limit N (the first N training images)   --out DIR (runs/csnn-DATASET-TIME)
        """;

    /// <summary>Images of the fixed batch neuron utilization is measured on.</summary>
    const int UtilizationImages = 20;

    public int Train(Args a)
    {
        string dataset = a.Choice("dataset", "cifar10", Datasets.Names);
        string root = DataRoot.Resolve(a.Str("data"));
        var (rows, cols, maps) = ParseGrid(a.Str("grid") ?? "12x12x3");
        int kernel = a.Int("kernel", 3, 1), stride = a.Int("stride", 1, 1), padding = a.Int("padding", 1, 0);
        double sigma = a.Positive("sigma", 1.0);
        var rule = a.Choice("rule", "12", "12", "13") == "12" ? CsnnMaskRule.AllMasks : CsnnMaskRule.EarlierMasks;
        double gamma = a.Double("gamma", rule == CsnnMaskRule.AllMasks ? 1.0 : 0.5, 0, 1);
        bool allBmus = a.Has("all-bmus"), maskNh = a.Has("mask-nh");
        double lr = a.Double("lr", 0.1, 0), maskLr = a.Double("mask-lr", 0.005, 0);
        int batch = a.Int("batch", 1, 1), steps = a.Int("steps", 2000, 1), limit = a.Int("limit", int.MaxValue, 1), seed = a.Int("seed", 1);
        bool perChannel = a.Choice("input-norm", "scalar", "scalar", "channel") == "channel";
        var engine = EngineChoice.Create(a);
        string outDir = a.Str("out") ?? Path.Combine("runs", $"csnn-{dataset}-{DateTime.Now:yyyyMMdd-HHmmss}");
        a.RejectUnknown("train csnn");

        var data = Datasets.Load(dataset, root, train: true);
        int n = Math.Min(limit, data.Count);
        var options = new CsnnOptions
        {
            Height = data.Height, Width = data.Width, Channels = data.Channels, Kernel = kernel, Stride = stride, Padding = padding,
            GridRows = rows, GridCols = cols, Maps = maps, MaskKind = CsnnMaskKind.Input, MaskRule = rule, Gamma = gamma, Sigma = sigma,
            AllBmus = allBmus, MaskNeighbourhood = maskNh,
        };
        try { options.Validate(); }
        catch (ArgumentOutOfRangeException ex)
        {
            throw Args.OptionError(ex, new Dictionary<string, string> { ["Kernel"] = "--kernel", ["Stride"] = "--stride", ["Padding"] = "--padding", ["Sigma"] = "--sigma", ["Gamma"] = "--gamma" });
        }
        var images = InputNorm.Apply(data.Images, n, data.Channels, perChannel);

        // The caller's randomness: weights and masks U(-1, 1) (the paper), then the image order.
        var rng = new Random(seed);
        var w0 = Enumerable.Range(0, maps).Select(_ => Randomize.Uniform(options.Neurons, options.PatchSize, rng)).ToArray();
        var m0 = Enumerable.Range(0, maps).Select(_ => Randomize.Uniform(options.Neurons, options.MaskSize, rng)).ToArray();
        var order = Enumerable.Range(0, n).ToArray();
        rng.Shuffle(order);

        RunFolder.Start(outDir, a.Str("out") is not null);
        RunFolder.WriteText(Path.Combine(outDir, "options.json"), new JsonObject
        {
            ["rule"] = Rule, ["dataset"] = dataset, ["data"] = root, ["engine"] = engine.Name, ["grid_rows"] = rows, ["grid_cols"] = cols,
            ["maps"] = maps, ["kernel"] = kernel, ["stride"] = stride, ["padding"] = padding, ["sigma"] = sigma,
            ["mask_rule"] = rule == CsnnMaskRule.AllMasks ? "12" : "13", ["gamma"] = gamma, ["all_bmus"] = allBmus, ["mask_nh"] = maskNh,
            ["lr"] = lr, ["mask_lr"] = maskLr, ["batch"] = batch, ["steps"] = steps, ["input_norm"] = perChannel ? "channel" : "scalar",
            ["seed"] = seed, ["images"] = n, ["height"] = data.Height, ["width"] = data.Width, ["channels"] = data.Channels,
        }.ToJsonString(new() { WriteIndented = true }));
        AnsiConsole.MarkupLine($"[bold]hebb train csnn[/] on {dataset} ({n:N0} images): {maps} map(s) of {rows}x{cols}, {kernel}x{kernel}x{data.Channels} patches, batch {batch}, {steps:N0} steps; {Markup.Escape(engine.Name)} -> {Markup.Escape(outDir)}");

        using var layer = engine.CreateCsnn(options, w0, m0);
        ILearner<CsnnStep> learner = layer;
        var schedule = new ConstantRates(new CsnnStep(lr, maskLr));
        var probe = images.Gather(order.AsSpan(0, Math.Min(UtilizationImages, n)));
        string metricsPath = Path.Combine(outDir, "metrics.jsonl");
        File.WriteAllText(metricsPath, "");
        var utilization = new List<double>();
        int every = Math.Max(1, steps / 20);
        var total = Stopwatch.StartNew();
        Progress.Run("training", steps, task =>
        {
            var sw = Stopwatch.StartNew();
            for (int s = 0; s < steps; s++)
            {
                var idx = Enumerable.Range(s * batch, batch).Select(i => order[i % n]).ToArray();
                learner.Step(images.Gather(idx), schedule.At(new TrainingTime(0, 1, s, steps)));
                task.Increment(1);
                if ((s + 1) % every != 0 && s + 1 != steps) continue;
                for (int h = 0; h < maps; h++) Divergence.CheckFinite(layer.ReadWeights(h), s + 1, lr, outDir);
                double used = Utilization(layer, probe);
                utilization.Add(used);
                File.AppendAllText(metricsPath, new JsonObject
                {
                    ["step"] = s + 1, ["seconds"] = sw.Elapsed.TotalSeconds, ["images_per_s"] = (s + 1) * batch / total.Elapsed.TotalSeconds,
                    ["utilization"] = used,
                }.ToJsonString() + "\n");
                task.Description = $"step {s + 1:N0}/{steps:N0}: {used:P1} of the neurons used per input";
            }
        });

        for (int h = 0; h < maps; h++)
        {
            var w = layer.ReadWeights(h);
            var m = layer.ReadMasks(h);
            Npy.Write(Path.Combine(outDir, $"weights-{h}.npy"), w);
            Npy.Write(Path.Combine(outDir, $"masks-{h}.npy"), m);
            Pictures.FilterGrid(Path.Combine(outDir, $"filters-{h}.png"), w, kernel, kernel, data.Channels, w.Rows, cols, scale: 8);
            Pictures.FilterGrid(Path.Combine(outDir, $"masks-{h}.png"), m, kernel, kernel, data.Channels, m.Rows, cols, scale: 8);
        }
        Pictures.Curves(Path.Combine(outDir, "utilization.png"), [("share of the neurons used per input", utilization.ToArray())]);
        RunFolder.WriteText(Path.Combine(outDir, "report.md"), $"""
            # CSNN: one masked multi-head sconv layer (Stuhr & Brauer, section III)

            - dataset: {dataset}, {n:N0} training images, input normalized {(perChannel ? "per channel" : "by one scalar mean and deviation")}; engine: {engine.Name}
            - {maps} map(s) of {rows}x{cols} neurons, {kernel}x{kernel}x{data.Channels} patches, stride {stride}, padding {padding}; input masks, eq. {(rule == CsnnMaskRule.AllMasks ? "12" : "13")} with gamma = {gamma}; sigma = {sigma}{(allBmus ? "; every map's BMU learns (D-BMU)" : "; only the best map's BMU learns")}{(maskNh ? "; masks by h (NH)" : "")}
            - {steps:N0} steps of {batch} image(s), SOM rate {lr}, mask rate {maskLr}, seed {seed}; time {total.Elapsed.TotalSeconds:F1} s
            - neuron utilization (Fig. 5, left: the share of all neurons that are the learning BMU of at least one patch of an input, over {probe.Rows} training images): {utilization[^1]:P1} at the end

            `filters-H.png`: map H's weight vectors on its grid ({rows} rows of {cols}), each scaled to its own largest |weight|
            (colour: RGB from [-max, max]); a self-organized map shows neighbours alike. `masks-H.png`: the masks the same way.
            `weights-H.npy`, `masks-H.npy`: neurons x {options.PatchSize} (channel-major patches). `utilization.png`: the utilization
            measured every {every:N0} steps ({utilization.Count} points, left to right); `metrics.jsonl`: the same with the step of each.
            """);
        AnsiConsole.MarkupLine($"done in {total.Elapsed.TotalSeconds:F1} s; filters, masks and report.md in {Markup.Escape(outDir)}");
        return 0;
    }

    /// <summary>CSNN Fig. 5 (left): for each image, the share of all neurons (every map's) that are the learning BMU of
    /// at least one of its patches (the best map's best neuron, by the layer's scores); the mean over the images.</summary>
    static double Utilization(ICsnnLayer layer, Matrix images)
    {
        var o = layer.Options;
        var y = layer.Forward(images);
        var winners = new int[images.Rows * o.Positions];   // image by image, position by position
        for (int b = 0; b < images.Rows; b++)
        {
            var row = y.Row(b);
            for (int pos = 0; pos < o.Positions; pos++)
            {
                int best = 0;
                for (int ch = 1; ch < o.OutChannels; ch++)
                    if (row[ch * o.Positions + pos] > row[best * o.Positions + pos]) best = ch;
                winners[b * o.Positions + pos] = best;
            }
        }
        return Metrics.Utilization(winners, o.OutChannels, o.Positions);
    }

    /// <summary>--grid ROWSxCOLSxMAPS (hebb train csnn, hebb bench csnn), or a usage error.</summary>
    public static (int Rows, int Cols, int Maps) ParseGrid(string s)
    {
        var parts = s.Split('x');
        if (parts.Length == 3 && parts.All(p => int.TryParse(p, out int v) && v >= 1))
            return (int.Parse(parts[0]), int.Parse(parts[1]), int.Parse(parts[2]));
        throw new UsageException($"--grid {s}: ROWSxCOLSxMAPS with each at least 1 is required (e.g. 12x12x3)");
    }

    public string EvalHelp => """
          Not yet: a csnn run's encoder for the probes (the models of several layers, issue 31).
        """;

    public string DefaultProbe => "linear";

    public IReadOnlyList<string> OwnProbes => [];

    public int RunOwnProbe(string probe, string run, Args a) =>
        throw new ArgumentOutOfRangeException(nameof(probe), probe, "the csnn recipe has no probe of its own");

    public IReadOnlyList<EncoderOption> EncoderOptions => [];

    public EncoderPlan PlanEncoder(string run, JsonObject options, Args a) =>
        throw new UsageException($"eval: {run} is a csnn run of one layer; its encoder for the probes comes with the CSNN models (issue 31), not yet built");
}

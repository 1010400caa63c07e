using System.Diagnostics;
using System.Text.Json.Nodes;
using Hebb.Contracts;
using Hebb.Data;
using Hebb.Evaluation;
using Spectre.Console;

namespace Hebb.Runs;

/// <summary>
/// CSNN (Stuhr &amp; Brauer): <c>hebb train csnn</c> trains a model (D-CSNN or S-CSNN, section IV-A) layer by layer
/// (section III-G): each layer's steps (eq. 1-15) on minibatches of whole images through the blocks before it, with
/// constant rates; then its normalization is fixed from its outputs on training images. Writes each layer's state, the
/// first layer's filters and masks on their grids, the class-average representation per map (Fig. 6 c, d), the
/// neuron utilization per layer along training (Fig. 5, left). <c>hebb eval</c> probes the last block's output.
/// </summary>
public sealed class CsnnRecipe : IRecipe
{
    public string Rule => "csnn";

    public string TrainHelp => """
        hebb train csnn [options]
          Trains a CSNN model (Stuhr & Brauer) layer by layer: each step scores every patch of a minibatch of images
          (through the blocks already learned) against every neuron of every map through its mask (eq. 7-9), moves
          the best map's BMU and its grid neighbours toward the unmasked patches (eq. 2-6) and the BMU's mask by eq. 12
          or 13 (eq. 14 / 15), with constant rates. After its steps a layer's batch norm statistics are fixed from its
          outputs; every block is layer -> normalization -> max pool 2x2 "same". Defaults: D-CSNN-B1 (the authors').

          --model d-csnn|s-csnn (d-csnn: grids 12x12x3, 14x14x3, 16x16x3, sigma 1, 1.5, 1.5, stride 1;
                                  s-csnn: 10x10x1 stride 2, 16x16x1; sigma 1, 1.25)
          --layers N (all the model's: train and keep its first N layers)
          --grid RxCxM[,...]  --sigma S[,...]  --stride S[,...]  --steps T[,...] (2000: one value for every layer,
                or one per layer; the steps each layer trains for, one after another)
          --kernel K (3)   --pool P (2: P x P max pooling "same" after each layer; 1: none)
          --norm batch|code|none (batch: the paper's batch norm without trainable parameters, statistics of the
                 layer's outputs on --norm-images training images; code: the authors' code, a division by
                 sqrt(1.001); none: the D-NBN row)   --norm-images N (1000)
          --rule 12|13 (12)   --gamma G (1 for rule 12, 0.5 for rule 13)   --all-bmus (D-BMU)   --mask-nh (D-NH)
          --masks learned|none|noise (none: masks of ones that never learn, the NM rows; noise: masks U(-1, 1) drawn
                  anew before every step, the NO rows, the representation taken with the last draw; random static
                  masks, RM: --mask-lr 0; an untrained SOM, RS: --lr 0)
          --pairing paper|code (paper: eq. 9 pairs each mask element with its channel's patch elements and their
                    weights; code: the authors' code, whose masked patch meets weights laid out in another order)
          --lr A (0.1, the SOM's)   --mask-lr A (0.005)   --batch B (1)
          --input-norm scalar|channel (scalar: one mean and deviation over all training pixels, the authors' code)
          --dataset cifar10|mnist|fashion-mnist (cifar10)   --data DIR   --limit N (the first N training images)
          --engine accelerated|reference   --backend X   --seed S (1: weights and masks U(-1, 1), image order)
          --out DIR (runs/csnn-DATASET-TIME; the run writes into DIR.partial and takes DIR's place when it finishes,
                     so that an earlier run there is kept until then)
          --resume   continue the unfinished run in DIR.partial from its checkpoint (written at each utilization point,
                     each layer's end, and at Ctrl-C or SIGTERM at the step it stops); the same options; bit for bit the
                     uninterrupted run
        """;

    /// <summary>Images of the fixed batch neuron utilization is measured on.</summary>
    const int UtilizationImages = 20;

    /// <summary>Test images the class-average representation (Fig. 6) is taken over.</summary>
    const int ClassMapImages = 2000;

    public int Train(Args a)
    {
        string dataset = a.Choice("dataset", "cifar10", Datasets.Names);
        string root = DataRoot.Resolve(a.Str("data"));
        string modelName = a.Choice("model", "d-csnn", CsnnModels.Names);
        var model = CsnnModels.Named(modelName);
        int layerCount = a.Int("layers", model.Count, 1, model.Count);
        var grids = PerLayer(a, "grid", layerCount, model.Select(l => $"{l.GridRows}x{l.GridCols}x{l.Maps}"), ParseGrid);
        var sigmas = PerLayer(a, "sigma", layerCount, model.Select(l => l.Sigma.ToString(System.Globalization.CultureInfo.InvariantCulture)), v => PositiveNumber("sigma", v));
        var strides = PerLayer(a, "stride", layerCount, model.Select(l => l.Stride.ToString()), v => Count("stride", v, 1));
        var stepsPer = PerLayer(a, "steps", layerCount, model.Select(l => l.Steps.ToString()), v => Count("steps", v, 1));
        int kernel = a.Int("kernel", 3, 1), pool = a.Int("pool", 2, 1);
        var norm = Enum.Parse<CsnnNorm>(a.Choice("norm", "batch", "batch", "code", "none"), ignoreCase: true);
        int normImages = a.Int("norm-images", 1000, 1);
        var rule = a.Choice("rule", "12", "12", "13") == "12" ? CsnnMaskRule.AllMasks : CsnnMaskRule.EarlierMasks;
        double gamma = a.Double("gamma", rule == CsnnMaskRule.AllMasks ? 1.0 : 0.5, 0, 1);
        bool allBmus = a.Has("all-bmus"), maskNh = a.Has("mask-nh");
        string masks = a.Choice("masks", "learned", "learned", "none", "noise");
        bool learnedMasks = masks == "learned", noiseMasks = masks == "noise";
        bool codePairing = a.Choice("pairing", "paper", "paper", "code") == "code";
        double lr = a.Double("lr", 0.1, 0), maskLr = a.Double("mask-lr", 0.005, 0);
        int batch = a.Int("batch", 1, 1), limit = a.Int("limit", int.MaxValue, 1), seed = a.Int("seed", 1);
        bool perChannel = a.Choice("input-norm", "scalar", "scalar", "channel") == "channel";
        var engine = EngineChoice.Create(a);
        var target = RunTarget.Of(a, Path.Combine("runs", $"csnn-{dataset}-{DateTime.Now:yyyyMMdd-HHmmss}"));
        string finalDir = target.Final;
        bool resume = target.Resume;
        a.RejectUnknown("train csnn");

        var data = Datasets.Load(dataset, root, train: true);
        int n = Math.Min(limit, data.Count);
        var rules = new CsnnOptions { MaskRule = rule, Gamma = gamma, AllBmus = allBmus, MaskNeighbourhood = maskNh, CodePairing = codePairing };
        var specs = Enumerable.Range(0, layerCount)
            .Select(l => model[l] with { GridRows = grids[l].Rows, GridCols = grids[l].Cols, Maps = grids[l].Maps, Sigma = sigmas[l], Stride = strides[l], Steps = stepsPer[l] })
            .ToList();
        var options = new List<CsnnOptions>();
        var (height, width, channels) = (data.Height, data.Width, data.Channels);
        foreach (var spec in specs)
        {
            var o = spec.Options(height, width, channels, kernel, pool, rules);
            try { o.Validate(); }
            catch (ArgumentOutOfRangeException ex)
            {
                throw Args.OptionError(ex, new Dictionary<string, string> { ["Kernel"] = "--kernel", ["Stride"] = "--stride", ["Sigma"] = "--sigma", ["Gamma"] = "--gamma", ["Pool"] = "--pool" });
            }
            options.Add(o);
            (height, width, channels) = (o.PooledHeight, o.PooledWidth, o.OutChannels);
        }
        var input = InputNorm.Fit(data.Images, n, data.Channels, perChannel);
        var images = input.Apply(n == data.Count ? data.Images : data.Images.SliceRows(0, n));

        // The caller's randomness: each layer's weights and masks U(-1, 1) (the paper), then the image order.
        var rng = new Random(seed);
        var initial = options.Select(o => Initial(o, rng, randomMasks: masks != "none")).ToList();
        var order = Enumerable.Range(0, n).ToArray();
        rng.Shuffle(order);
        int totalSteps = specs.Sum(s => s.Steps);

        var stage = target.Stage();
        string outDir = stage.Dir;
        var resolved = new JsonObject
        {
            ["rule"] = Rule, ["model"] = modelName, ["dataset"] = dataset, ["data"] = root, ["engine"] = engine.Name, ["kernel"] = kernel, ["pool"] = pool,
            ["norm"] = norm.ToString().ToLowerInvariant(), ["norm_images"] = normImages, ["mask_rule"] = rule == CsnnMaskRule.AllMasks ? "12" : "13",
            ["gamma"] = gamma, ["all_bmus"] = allBmus, ["mask_nh"] = maskNh, ["masks"] = masks, ["pairing"] = codePairing ? "code" : "paper",
            ["lr"] = lr, ["mask_lr"] = maskLr, ["batch"] = batch, ["input_norm"] = perChannel ? "channel" : "scalar",
            ["input_mean"] = new JsonArray([.. input.Mean.Select(v => (JsonNode)v)]), ["input_std"] = new JsonArray([.. input.Std.Select(v => (JsonNode)v)]),
            ["seed"] = seed, ["images"] = n, ["height"] = data.Height, ["width"] = data.Width, ["channels"] = data.Channels,
            ["layers"] = new JsonArray([.. specs.Select((s, l) => (JsonNode)new JsonObject
            {
                ["grid_rows"] = s.GridRows, ["grid_cols"] = s.GridCols, ["maps"] = s.Maps, ["stride"] = s.Stride, ["padding"] = options[l].Padding, ["padding_after"] = options[l].PadAfter,
                ["sigma"] = s.Sigma, ["masks"] = s.Masks == CsnnMaskKind.Input ? "input" : "between", ["steps"] = s.Steps,
            })]),
        };
        string metricsPath = Path.Combine(outDir, "metrics.jsonl");
        Checkpoint? cp = null;
        List<JsonNode> kept = [];   // the metrics the checkpoint had measured
        if (resume)
        {
            // The randomness is all drawn above (initial states, the image order); the checkpoint holds every layer's state.
            cp = Checkpoint.Resume(outDir, finalDir, resolved);
            int at = cp.Epoch, step = cp.Step;
            kept = Checkpoint.KeepMetrics(metricsPath, (j, _) => (int)j["layer"]! - 1 < at || ((int)j["layer"]! - 1 == at && (int)j["step"]! <= step));
        }
        else Checkpoint.StartFresh(outDir, resolved, metricsPath);
        AnsiConsole.MarkupLine($"[bold]hebb train csnn[/] {modelName}, {layerCount} layer(s) ({string.Join(", ", specs.Select(s => $"{s.GridRows}x{s.GridCols}x{s.Maps}"))}) on {dataset} ({n:N0} images), batch {batch}, {string.Join(" + ", specs.Select(s => s.Steps.ToString("N0")))} steps; {Markup.Escape(engine.Name)} -> {Markup.Escape(finalDir)}");

        var layers = new List<ICsnnLayer>();
        for (int l = 0; l < layerCount; l++)
        {
            var (w, m) = initial[l];
            if (cp is not null)
            {
                w = [.. Enumerable.Range(0, options[l].Maps).Select(h => cp.State[$"{l}/weights/{h}"].AsMatrix())];
                m = [.. Enumerable.Range(0, options[l].Maps).Select(h => cp.State[$"{l}/masks/{h}"].AsMatrix())];
            }
            layers.Add(engine.CreateCsnn(options[l], w, m));
        }
        using var csnn = new CsnnModel(layers);
        var schedule = new ConstantRates(new CsnnStep(lr, learnedMasks ? maskLr : 0));
        var probe = images.Gather(order.AsSpan(0, Math.Min(UtilizationImages, n)));
        var normSet = images.Gather(order.AsSpan(0, Math.Min(normImages, n)));
        var utilization = new List<Charts.Line>();
        var seconds = new List<double>();
        var total = Stopwatch.StartNew();
        int startLayer = cp?.Epoch ?? 0, startStep = cp?.Step ?? 0;
        RuleState AllLayers()
        {
            var state = new RuleState();
            for (int l = 0; l < layerCount; l++)
                foreach (var (name, t) in ((ILearner<CsnnStep>)layers[l]).ReadState()) state.Add($"{l}/{name}", t);
            return state;
        }
        using var stop = new StopSignal();
        int global = specs.Take(startLayer).Sum(s => s.Steps) + startStep;
        for (int l = 0; l < layerCount; l++)
        {
            var earlier = kept.Where(j => (int)j["layer"]! == l + 1).ToList();
            if (l < startLayer)
            {
                // A layer the unfinished run finished: its statistics estimated again (the same inputs and state give the
                // same floats), its curve and time from the metrics.
                csnn.Norms[l] = csnn.Estimate(l, normSet, norm);
                seconds.Add(earlier.Count > 0 ? (double)earlier[^1]["seconds"]! : 0);
                utilization.Add(new($"layer {l + 1}", [.. earlier.Select(j => (double)(int)j["step"]!)], [.. earlier.Select(j => 100 * (double)j["utilization"]!)]));
                continue;
            }
            int steps = specs[l].Steps, every = Math.Max(1, steps / 20), from = l == startLayer ? startStep : 0;
            var curve = earlier.Select(j => (double)j["utilization"]!).ToList();
            var curveSteps = earlier.Select(j => (double)(int)j["step"]!).ToList();
            ILearner<CsnnStep> learner = layers[l];
            var sw = Stopwatch.StartNew();
            var layerProbe = csnn.Encode(probe, l);
            int layer = l;
            Progress.Run($"layer {l + 1}", steps, task =>
            {
                task.Increment(from);
                for (int s = from; s < steps; s++, global++)
                {
                    var idx = Enumerable.Range(global * batch, batch).Select(i => order[i % n]).ToArray();
                    if (noiseMasks)
                        for (int h = 0; h < options[l].Maps; h++) layers[l].WriteMasks(h, NoiseMasks(options[l], seed, layer, h, s));
                    learner.Step(csnn.Encode(images.Gather(idx), layer), schedule.At(new TrainingTime(0, 1, s, steps)));
                    task.Increment(1);
                    stop.Stepped();
                    bool point = (s + 1) % every == 0 || s + 1 == steps;
                    if (point)
                    {
                        for (int h = 0; h < options[l].Maps; h++) Divergence.CheckFinite(layers[l].ReadWeights(h), global + 1, lr, outDir);
                        double used = Utilization(layers[l], layerProbe);
                        curve.Add(used);
                        curveSteps.Add(s + 1);
                        File.AppendAllText(metricsPath, new JsonObject
                        {
                            ["layer"] = l + 1, ["step"] = s + 1, ["seconds"] = sw.Elapsed.TotalSeconds, ["images_per_s"] = (s + 1) * batch / sw.Elapsed.TotalSeconds,
                            ["utilization"] = used,
                        }.ToJsonString() + "\n");
                        task.Description = $"layer {layer + 1}, step {s + 1:N0}/{steps:N0}: {used:P1} of the neurons used per input";
                    }
                    // A checkpoint at each utilization point, and where a stop is asked for (the layer's end writes its own).
                    if (s + 1 < steps && (point || stop.Requested))
                    {
                        var checkpoint = new Checkpoint(layer, s + 1, AllLayers());
                        if (stop.Requested) throw stage.Stop(checkpoint, $"at layer {layer + 1}, step {s + 1} of {steps}");
                        checkpoint.Write(outDir);
                    }
                }
            });
            csnn.Norms[l] = csnn.Estimate(l, normSet, norm);
            csnn.Save(outDir, l);
            new Checkpoint(l + 1, 0, AllLayers()).Write(outDir);
            if (stop.Requested && l + 1 < layerCount)
                throw stage.Stopped($"after layer {l + 1}");
            seconds.Add(sw.Elapsed.TotalSeconds);
            utilization.Add(new($"layer {l + 1}", curveSteps.ToArray(), curve.Select(u => 100 * u).ToArray()));
        }

        var first = options[0];
        for (int h = 0; h < first.Maps; h++)
        {
            string d = Path.Combine(outDir, "layer-1");
            Pictures.FilterGrid(Path.Combine(d, $"filters-{h}.png"), layers[0].ReadWeights(h), kernel, kernel, first.Channels, first.Neurons, first.GridCols, scale: 8);
            Pictures.FilterGrid(Path.Combine(d, $"masks-{h}.png"), layers[0].ReadMasks(h), kernel, kernel, first.Channels, first.Neurons, first.GridCols, scale: 8);
        }
        var test = Datasets.Load(dataset, root, train: false);
        int shown = Math.Min(ClassMapImages, test.Count);
        var classMaps = ClassMaps.Write(outDir, csnn, input.Apply(test.Images.SliceRows(0, shown)), test.Labels[..shown], Datasets.ClassNames(dataset));
        Charts.Lines(Path.Combine(outDir, "utilization.png"), $"{finalDir}: CSNN neuron utilization per layer (Fig. 5, left): the neurons that are the BMU of a patch of an input, over {probe.Rows} training images",
            "step of the layer's training", "neurons used per input (%)", utilization);
        var finalUse = utilization.Select(u => u.Y[^1] / 100).ToList();
        RunFolder.WriteText(Path.Combine(outDir, "report.md"), $"""
            # CSNN: {modelName}, {layerCount} layer(s) trained layer-wise (Stuhr & Brauer)

            - dataset: {dataset}, {n:N0} training images, input normalized {(perChannel ? "per channel" : "by one scalar mean and deviation")}; engine: {engine.Name}
            - eq. {(rule == CsnnMaskRule.AllMasks ? "12" : "13")} with gamma = {gamma}{(allBmus ? "; every map's BMU learns (D-BMU)" : "; only the best map's BMU learns")}{(maskNh ? "; masks by h (NH)" : "")}{masks switch { "none" => "; no masks (NM)", "noise" => "; noise masks U(-1, 1) drawn anew before every step (NO), the representation with the last draw", _ => "" }}{(codePairing ? "; masks between layers paired as the authors' code does" : "")}; SOM rate {lr}, mask rate {(learnedMasks ? maskLr : 0)}; batch {batch}; seed {seed}
            - each block: layer -> {norm switch { CsnnNorm.Batch => $"batch norm (statistics of {normSet.Rows:N0} training images)", CsnnNorm.Code => "the authors' code's normalization (divide by sqrt(1.001))", _ => "no normalization" }} -> {pool}x{pool} max pooling "same"
            - representation: {options[^1].EncodedFeatures:N0} features ({options[^1].OutChannels} x {options[^1].PooledHeight} x {options[^1].PooledWidth})

            | layer | grid | kernel, stride, padding | sigma | masks | steps | time | utilization at the end |
            | --- | --- | --- | --- | --- | --- | --- | --- |
            {string.Join("\n", specs.Select((s, l) => $"| {l + 1} | {s.GridRows}x{s.GridCols}x{s.Maps} | {kernel}, {s.Stride}, {(options[l].Padding == options[l].PadAfter ? $"{options[l].Padding}" : $"{options[l].Padding} before, {options[l].PadAfter} after")} | {s.Sigma} | {(s.Masks == CsnnMaskKind.Input ? "input (eq. 14)" : "between layers (eq. 15)")} | {s.Steps:N0} | {seconds[l]:F1} s | {finalUse[l]:P1} |"))}

            Time {total.Elapsed.TotalSeconds:F1} s in all. Utilization (Fig. 5, left): the share of a layer's neurons that are the learning
            BMU of at least one patch of an input, over {probe.Rows} training images; `utilization.png` one line per layer (each measured 20
            times along its steps, left to right), `metrics.jsonl` the same with steps.

            `layer-1/filters-H.png`: map H's weight vectors on its grid, each scaled to its own largest |weight| (RGB from
            [-max, max]); a self-organized map shows neighbours alike. `layer-1/masks-H.png`: the masks the same way.
            {classMaps}
            `layer-L/weights-H.npy`, `masks-H.npy`: neurons x patch (channel-major patches) and neurons x mask; `norm.npy`: the
            normalization's means and variances per output channel (epsilon {(norm == CsnnNorm.None ? 0 : CsnnNormalization.BatchNormEpsilon)}).
            """);
        stage.Commit();
        AnsiConsole.MarkupLine($"done in {total.Elapsed.TotalSeconds:F1} s; report.md in {Markup.Escape(finalDir)}; probes: hebb eval {Markup.Escape(finalDir)} --probe linear|mlp|fewshot");
        return 0;
    }

    /// <summary>A layer's weights and masks U(-1, 1) (the paper); masks of ones where they are not used (NM).</summary>
    static (Matrix[] W, Matrix[] M) Initial(CsnnOptions o, Random rng, bool randomMasks)
    {
        var w = Enumerable.Range(0, o.Maps).Select(_ => Randomize.Uniform(o.Neurons, o.PatchSize, rng)).ToArray();
        var m = Enumerable.Range(0, o.Maps).Select(_ => randomMasks ? Randomize.Uniform(o.Neurons, o.MaskSize, rng) : Ones(o.Neurons, o.MaskSize)).ToArray();
        return (w, m);
    }

    /// <summary>Map <paramref name="map"/>'s noise masks for step <paramref name="step"/> of layer
    /// <paramref name="layer"/> (Table I's NO rows: "noise masks, which change every training step", U(-1, 1)): drawn
    /// from their own seed, so that a resumed run draws the same masks.</summary>
    static Matrix NoiseMasks(CsnnOptions o, int seed, int layer, int map, int step) =>
        Randomize.Uniform(o.Neurons, o.MaskSize, new Random(unchecked(seed * 1_000_003 + (layer * 1_000 + map) * 7_919_113 + step)));

    static Matrix Ones(int rows, int cols)
    {
        var m = new Matrix(rows, cols);
        Array.Fill(m.Data, 1f);
        return m;
    }

    /// <summary>A per-layer option: one value for every layer, or a comma-separated value per layer.</summary>
    static List<T> PerLayer<T>(Args a, string name, int layers, IEnumerable<string> defaults, Func<string, T> parse)
    {
        var given = a.Str(name)?.Split(',');
        if (given is not null && given.Length != 1 && given.Length != layers)
            throw new UsageException($"--{name} {a.Str(name)}: one value for every layer, or one per layer ({layers}), is required");
        var fallback = defaults.Take(layers).ToList();
        return [.. Enumerable.Range(0, layers).Select(l => parse(given is null ? fallback[l] : given.Length == 1 ? given[0] : given[l]))];
    }

    static double PositiveNumber(string name, string v) =>
        double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double x) && x > 0 && double.IsFinite(x)
            ? x : throw new UsageException($"--{name} {v}: a finite number > 0 is required");

    static int Count(string name, string v, int min) =>
        int.TryParse(v, out int x) && x >= min ? x : throw new UsageException($"--{name} {v}: an integer >= {min} is required");

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
          csnn runs: the representation is the last block's output flattened (4 x 4 x 768 = 12,288 values for D-CSNN
          on CIFAR-10), the input normalized with the training set's statistics, not standardized (the authors' code).
          --random-baseline: every layer's weights and masks U(-1, 1) (the paper's R rows), batch norm statistics
          estimated again for them on the run's --norm-images training images. Neuron utilization of the last layer.
        """;

    public string DefaultProbe => "linear";

    public IReadOnlyList<string> OwnProbes => [];

    public int RunOwnProbe(string probe, string run, Args a) =>
        throw new ArgumentOutOfRangeException(nameof(probe), probe, "the csnn recipe has no probe of its own");

    public IReadOnlyList<EncoderOption> EncoderOptions => [];

    public EncoderPlan PlanEncoder(string run, JsonObject options, Args a)
    {
        if (options["layers"] is not JsonArray specs)
            throw new UsageException($"eval: {run} is a csnn run of one layer from before the models were built; train it again with hebb train csnn");
        RunFolder.RequireFinished(run, Path.Combine($"layer-{specs.Count}", "norm.npy"));
        return new EncoderPlan("", r =>
        {
            var data = r.Train;
            int kernel = RunFolder.Required<int>(options, run, "kernel"), pool = RunFolder.Required<int>(options, run, "pool");
            var rules = new CsnnOptions
            {
                MaskRule = RunFolder.Required<string>(options, run, "mask_rule") == "13" ? CsnnMaskRule.EarlierMasks : CsnnMaskRule.AllMasks,
                Gamma = RunFolder.Required<double>(options, run, "gamma"),
                CodePairing = RunFolder.Optional(options, run, "pairing", "paper") == "code",
            };
            var norm = Enum.Parse<CsnnNorm>(RunFolder.Required<string>(options, run, "norm"), ignoreCase: true);
            var input = new InputNorm([.. options["input_mean"]!.AsArray().Select(v => (double)v!)], [.. options["input_std"]!.AsArray().Select(v => (double)v!)]);
            var rng = new Random(r.Seed);
            var layers = new List<ICsnnLayer>();
            var (height, width, channels) = (data.Height, data.Width, data.Channels);
            var norms = new List<CsnnNormalization>();
            for (int l = 0; l < specs.Count; l++)
            {
                var spec = specs[l]!.AsObject();
                var o = new CsnnLayerSpec(RunFolder.Required<int>(spec, run, "grid_rows"), RunFolder.Required<int>(spec, run, "grid_cols"), RunFolder.Required<int>(spec, run, "maps"),
                    RunFolder.Required<int>(spec, run, "stride"), RunFolder.Required<double>(spec, run, "sigma"),
                    RunFolder.Required<string>(spec, run, "masks") == "input" ? CsnnMaskKind.Input : CsnnMaskKind.BetweenLayers, 0)
                    .Options(height, width, channels, kernel, pool, rules);
                // The padding the layer learned with: a run from before "same" put an odd remainder after padded evenly.
                int before = RunFolder.Optional(spec, run, "padding", o.Padding);
                o = (o with { Padding = before, PaddingAfter = RunFolder.Optional(spec, run, "padding_after", before) }).Validate();
                string d = Path.Combine(run, $"layer-{l + 1}");
                var (w, m) = r.Random ? Initial(o, rng, randomMasks: true)
                    : ([.. Enumerable.Range(0, o.Maps).Select(h => Npy.Read(Path.Combine(d, $"weights-{h}.npy")))], [.. Enumerable.Range(0, o.Maps).Select(h => Npy.Read(Path.Combine(d, $"masks-{h}.npy")))]);
                var stats = Npy.Read(Path.Combine(d, "norm.npy"));
                if (stats.Rows != 2 || stats.Cols != o.OutChannels)
                    throw new UsageException($"eval: {Path.Combine(d, "norm.npy")} is {stats.Rows} x {stats.Cols}; 2 x {o.OutChannels} (means, variances) is required");
                norms.Add(norm == CsnnNorm.Batch ? CsnnNormalization.Estimated([.. stats.Row(0)], [.. stats.Row(1)])
                          : norm == CsnnNorm.Code ? CsnnNormalization.AuthorsCode(o.OutChannels) : CsnnNormalization.None(o.OutChannels));
                layers.Add(r.Engine.CreateCsnn(o, w, m));
                (height, width, channels) = (o.PooledHeight, o.PooledWidth, o.OutChannels);
            }
            var model = new CsnnModel(layers);
            if (r.Random)
            {
                // Random weights need their own statistics, estimated as training does on its first images.
                int count = Math.Min(RunFolder.Optional(options, run, "norm_images", 1000), data.Count);
                var sample = input.Apply(data.Images.SliceRows(0, count));
                for (int l = 0; l < layers.Count; l++) model.Norms[l] = model.Estimate(l, sample, norm);
            }
            else
                for (int l = 0; l < layers.Count; l++) model.Norms[l] = norms[l];
            var last = layers[^1].Options;
            return new RunEncoder(new CsnnEncoder(model, input, "CSNN" + (r.Random ? " with random U(-1, 1) weights and masks" : "")), [model])
            {
                Competition = (last.OutChannels, features => Winners(last, features)),
                WinnersFromFeatures = true,
            };
        });
    }

    /// <summary>Each image's winning neuron of the last layer, from its encoded features: the neuron of any map whose
    /// block output, averaged over the positions, is largest (ties: the lowest), for neuron utilization and selectivity.</summary>
    static int[] Winners(CsnnOptions o, Matrix y)
    {
        var winners = new int[y.Rows];
        var means = new double[o.OutChannels];
        for (int b = 0; b < y.Rows; b++)
        {
            CsnnModel.ChannelMeans(o, y.Row(b), means);
            for (int c = 1; c < means.Length; c++) if (means[c] > means[winners[b]]) winners[b] = c;
        }
        return winners;
    }
}

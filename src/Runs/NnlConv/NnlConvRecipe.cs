using Hebb.Accelerated.Rules.NnlConv;
using Hebb.Accelerated.Rules.Krotov;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Hebb.Contracts;
using Hebb.Data;
using Hebb.Evaluation;
using Spectre.Console;

namespace Hebb.Runs;

/// <summary>
/// NNL-CONV end to end (Grinberg, Hopfield &amp; Krotov 2019): <c>hebb train nnl-conv</c>, convolutional filters by the
/// local rule (eq. 1-2: Krotov &amp; Hopfield's fast rule with p = 2 on W x W x C image patches), and the encoder of
/// section 2 for the probes (patch normalization, f = ReLU(x)^n of eq. 3, max pooling; more blocks side by side).
/// </summary>
public sealed class NnlConvRecipe : IRecipe
{
    public string Rule => "nnl-conv";

    public string TrainHelp => """
        hebb train nnl-conv [options]
          Learns K convolutional filters of W x W x C from every patch (stride 1) of the training images with the
          local rule of Grinberg, Hopfield & Krotov (eq. 1-2): Krotov & Hopfield's fast rule with p = 2; g = 1 for the
          strongest channel, -Delta for the m-th. Patches are never all in memory: each epoch takes the images in a
          seeded random order, cuts them into chunks, and shuffles each chunk's patches into minibatches.

          --dataset cifar10|mnist|fashion-mnist   (cifar10)      --data DIR
          --window W (4)   --filters K (400)   --m M (2)   --delta D (0.2)   --batch B (100 patches)
          --lr EPS0 (1 with --variant paper, 0.02 with code; falling linearly to 0 over the epochs)   --epochs E (2)
          --chunk C (256 images)   --limit N (all images)
          --variant paper|code (paper: eq. 1 as written, the minibatch's sum times eps, here eps/B times the sum;
                                code: Krotov & Hopfield's code, the update divided by its largest |element|, which
                                collapses on uncentred patches: docs/NNL-CONV.md, The recipe)
          --normalize-patches on|off (on: each patch a unit vector, as the layer sees it; off: raw patches)
          --center-patches on|off (off; on: each patch minus its own mean, before any normalization; not in the paper)
          --engine accelerated|reference   --backend X   --seed S (1)
          --threads T (cpu backend: the steps and the making of patches split over T threads; default the cores, at
                       most 16, on a machine of 4 or more, else 1: the steps on one thread, patches made on a second)
          --init FILE.npy   --out DIR (runs/nnl-conv-DATASET-TIME; the run writes into DIR.partial and takes DIR's place
                                       when it finishes, so that an earlier run there is kept until then)
          --resume           continue the unfinished run in DIR.partial from its checkpoint (written every epoch, and at
                             Ctrl-C or SIGTERM at the step it stops); the same options; bit for bit the uninterrupted run
        """;

    /// <summary>The defaults of <c>hebb train nnl-conv</c> that <c>hebb bench nnl-conv</c> times too.</summary>
    public const int DefaultM = 2, DefaultChunk = 256;
    public const double DefaultDelta = 0.2, DefaultLrPaper = 1.0, DefaultLrCode = 0.02;

    /// <summary>--threads T (at least 1), or null when it is not given; train and bench share its meaning.</summary>
    public static int? ThreadsOption(Args a) => a.Str("threads") is null ? null : a.Int("threads", 1, 1);

    /// <summary>Refuses --threads for a backend other than cpu (its layers take the feed), before anything is made.</summary>
    public static void CheckThreads(int? threads, IEngine engine)
    {
        if (threads is not null && engine is not Hebb.Accelerated.Backends.Cpu.CpuEngine)
            throw new UsageException($"--threads {threads}: only the cpu backend splits its steps over threads; this is {engine.Name}");
    }

    /// <summary>Gives a cpu layer (CheckThreads has passed) the --threads value, if one was given.</summary>
    public static void SetThreads(IKrotovLayer layer, int? threads)
    {
        if (threads is int t) ((CpuKrotovLayer)layer).Threads = t;
    }

    /// <summary>Minibatches in an epoch over <paramref name="images"/> images: each chunk's patches cut into batches,
    /// the last of a chunk possibly smaller (PatchSource).</summary>
    public static long StepsPerEpoch(int images, int positions, int chunk, int batch)
    {
        long steps = 0;
        for (int s = 0; s < images; s += chunk) steps += ((long)Math.Min(chunk, images - s) * positions + batch - 1) / batch;
        return steps;
    }

    public int Train(Args a)
    {
        string dataset = a.Choice("dataset", "cifar10", Datasets.Names);
        string root = DataRoot.Resolve(a.Str("data"));
        int window = a.Int("window", 4, 1), filters = a.Int("filters", 400, 1), m = a.Int("m", DefaultM, 2), batch = a.Int("batch", 100, 1);
        double delta = a.Double("delta", DefaultDelta, 0);
        int epochs = a.Int("epochs", 2, 1), chunk = a.Int("chunk", DefaultChunk, 1), limit = a.Int("limit", int.MaxValue, 1), seed = a.Int("seed", 1);
        var variant = a.Choice("variant", "paper", "paper", "code") == "paper" ? KrotovVariant.Paper : KrotovVariant.AuthorsCode;
        double lr0 = a.Positive("lr", variant == KrotovVariant.Paper ? DefaultLrPaper : DefaultLrCode);
        string? init = a.Str("init");
        bool unitPatches = a.Choice("normalize-patches", "on", "on", "off") == "on";
        bool center = a.Choice("center-patches", "off", "on", "off") == "on";
        int? threads = ThreadsOption(a);
        var engine = EngineChoice.Create(a);
        CheckThreads(threads, engine);
        var target = RunTarget.Of(a, Path.Combine("runs", $"nnl-conv-{dataset}-{DateTime.Now:yyyyMMdd-HHmmss}"));
        string finalDir = target.Final;
        bool resume = target.Resume;
        a.RejectUnknown("train nnl-conv");
        KrotovRecipe.RankWithin(m, "--m", filters, "--filters");

        var data = Datasets.Load(dataset, root, train: true);
        int n = Math.Min(limit, data.Count);
        var conv = new NnlConvOptions
        {
            Height = data.Height, Width = data.Width, Channels = data.Channels, Window = window, Filters = filters,
            PoolWindow = 1, PoolStride = 1, Power = 1,
        };
        var rule = new KrotovOptions { Units = filters, Inputs = conv.PatchSize, P = 2, RankK = m, Delta = delta, Variant = variant };
        try { conv.Validate(); rule.Validate(); }
        catch (ArgumentOutOfRangeException ex)
        {
            throw Args.OptionError(ex, new Dictionary<string, string> { ["Window"] = "--window", ["Filters"] = "--filters", ["Units"] = "--filters", ["RankK"] = "--m", ["Delta"] = "--delta" });
        }
        var rng = new Random(seed);
        Matrix w0 = init is null ? EngineChoice.Normal(filters, conv.PatchSize, rng)
            : InitialWeights.Read(init, filters, conv.PatchSize, $"{filters} filters of {window}x{window}x{data.Channels}");
        double bound = Divergence.SphereBound(w0, 1.0);

        var stage = target.Stage();
        string outDir = stage.Dir;
        var resolved = new JsonObject
        {
            ["rule"] = Rule, ["dataset"] = dataset, ["data"] = root, ["engine"] = engine.Name, ["window"] = window, ["filters"] = filters,
            ["m"] = m, ["delta"] = delta, ["p"] = 2.0, ["variant"] = variant.ToString(), ["batch"] = batch, ["lr"] = lr0, ["epochs"] = epochs,
            ["chunk"] = chunk, ["threads"] = threads, ["normalize_patches"] = unitPatches, ["center_patches"] = center, ["seed"] = seed, ["init"] = init, ["images"] = n,
            ["height"] = data.Height, ["width"] = data.Width, ["channels"] = data.Channels,
        };
        string metricsPath = Path.Combine(outDir, "metrics.jsonl");
        var images = Enumerable.Range(0, n).ToArray();
        var onSphere = new List<double>();
        int startEpoch = 0, startStep = 0;
        if (resume)
        {
            // The unfinished run's checkpoint, and the seeded draws replayed up to it: W0 above, then each epoch's image
            // order and its chunks' shuffles (a patch source run through without training draws exactly those).
            var cp = Checkpoint.Resume(outDir, finalDir, resolved);
            (startEpoch, startStep, w0) = (cp.Epoch, cp.Step, cp.State["weights"].AsMatrix());
            for (int e = 0; e < startEpoch; e++)
            {
                rng.Shuffle(images);
                var replay = new PatchSource(data.Images, images, conv, chunk, batch, center, unitPatches, rng);
                while (replay.Next() > 0) { }
            }
            onSphere.AddRange(Checkpoint.KeepMetrics(metricsPath, (_, i) => i < startEpoch).Select(j => (double)j["share_on_sphere"]!));
        }
        else Checkpoint.StartFresh(outDir, resolved, metricsPath);
        long patchesPerEpoch = (long)n * conv.Positions;
        AnsiConsole.MarkupLine($"[bold]hebb train nnl-conv[/] on {dataset}: {n:N0} images, {patchesPerEpoch:N0} patches of {window}x{window}x{data.Channels} an epoch, {filters} filters; {Markup.Escape(engine.Name)} -> {Markup.Escape(finalDir)}");

        using var layer = engine.CreateKrotov(rule, w0);
        SetThreads(layer, threads);
        // A stop inside an epoch needs the steps taken one by one (the cpu backend's threaded pass stops at its end).
        bool stepwise = layer is not IMinibatchLearner { Threads: > 1 };
        using var stop = new StopSignal();
        var total = Stopwatch.StartNew();
        long stepsPerEpoch = StepsPerEpoch(n, conv.Positions, chunk, batch);
        var schedule = new LinearDecay(lr0);
        Progress.Run("training", (double)epochs * stepsPerEpoch, task =>
            {
                task.Increment((double)startEpoch * stepsPerEpoch + startStep);
                for (int epoch = startEpoch; epoch < epochs; epoch++)
                {
                    rng.Shuffle(images);
                    double lr = schedule.At(new TrainingTime(epoch, epochs, 0, stepsPerEpoch)).LearningRate;
                    var sw = Stopwatch.StartNew();
                    var source = new PatchSource(data.Images, images, conv, chunk, batch, center, unitPatches, rng);
                    int step = epoch == startEpoch ? startStep : 0;
                    for (int s = 0; s < step; s++) source.Next();   // the steps the checkpoint has taken
                    int e = epoch;
                    Epoch(layer, source, lr, () =>
                    {
                        task.Increment(1);
                        stop.Stepped();
                        step++;
                        if (stepwise && stop.Requested && step < stepsPerEpoch)
                            throw stage.Stop(new Checkpoint(e, step, ((ILearner<KrotovStep>)layer).ReadState()), $"at epoch {e + 1}, step {step} of {stepsPerEpoch}");
                    });
                    double secs = sw.Elapsed.TotalSeconds;
                    var weights = layer.ReadWeights();
                    Divergence.CheckFinite(weights, epoch + 1, lr0, outDir, bound);
                    var (median, share) = Sphere.Deviation(weights, 2.0);
                    onSphere.Add(share);
                    File.AppendAllText(metricsPath, new JsonObject
                    {
                        ["epoch"] = epoch + 1, ["lr"] = lr, ["seconds"] = secs, ["patches_per_s"] = patchesPerEpoch / secs,
                        ["median_abs_norm_minus_1"] = median, ["share_on_sphere"] = share,
                    }.ToJsonString() + "\n");
                    task.Description = $"epoch {epoch + 1}/{epochs} {patchesPerEpoch / secs:N0} patches/s, {share:P0} of filters unit vectors";
                    new Checkpoint(epoch + 1, 0, ((ILearner<KrotovStep>)layer).ReadState()).Write(outDir);
                    if (stop.Requested && epoch + 1 < epochs)
                        throw stage.Stopped($"after epoch {epoch + 1}");
                }
            });
        Checkpoint.Remove(outDir);
        var w = layer.ReadWeights();
        Npy.Write(Path.Combine(outDir, "weights.npy"), w);
        var ordered = w.Gather(ColourOrder(w, data.Channels, window));
        Pictures.FilterGrid(Path.Combine(outDir, "filters.png"), ordered, window, window, data.Channels, w.Rows, 20, scale: 6);
        if (data.Channels == 3)
            Pictures.FilterGrid(Path.Combine(outDir, "filters-fig1.png"), ordered, window, window, 3, w.Rows, 20, scale: 6, negativesBlack: true);
        Charts.Lines(Path.Combine(outDir, "sphere.png"), $"{finalDir}: NNL-CONV filters by the local rule on {dataset}, filters that are unit vectors (| sum W^2 - 1 | <= 0.05)",
            "epoch", "filters on the unit sphere (%)",
            [new("filters on the unit sphere", Enumerable.Range(1, onSphere.Count).Select(e => (double)e).ToArray(), onSphere.Select(x => 100 * x).ToArray())]);
        RunFolder.WriteText(Path.Combine(outDir, "report.md"), $"""
            # NNL-CONV filters by the local rule (Grinberg, Hopfield & Krotov, eq. 1-2)

            - dataset: {dataset}, {n:N0} images, {patchesPerEpoch:N0} patches of {window}x{window}x{data.Channels} an epoch; engine: {engine.Name}
            - {filters} filters, m = {m}, Delta = {delta}, variant {variant}{(center ? ", patches centred" : "")}{(unitPatches ? ", patches normalized to unit vectors" : "")}; minibatches of {batch} patches shuffled within chunks of {chunk} images
            - {epochs} epoch(s), learning rate {lr0} falling linearly to 0, seed {seed}; time {total.Elapsed.TotalSeconds:F1} s
            - after the last epoch {onSphere[^1]:P1} of the filters are unit vectors (| sum W^2 - 1 | <= 0.05)

            `filters.png`: every filter, ordered from colourless to coloured (by the spread of its weights across the
            colour channels), each scaled to its own largest |weight| (grey 127 is zero), as the paper's Fig. 1 groups them;
            `filters-fig1.png` (colour images): the same drawn as Fig. 1 draws them, zero and negative weights black;
            `weights.npy`: {filters}x{conv.PatchSize} (channel-major patches). Next: `hebb eval {finalDir} --probe linear`.
            """);
        stage.Commit();
        AnsiConsole.MarkupLine($"done in {total.Elapsed.TotalSeconds:F1} s; weights.npy, filters.png and report.md in {Markup.Escape(finalDir)}");
        return 0;
    }

    /// <summary>
    /// One epoch of the filters' learning: the images in the given order, cut into chunks; each chunk's patches
    /// (centred and normalized if asked) shuffled into minibatches (PatchSource), one step of the rule each. A layer
    /// that learns from the source itself on several threads (IMinibatchLearner with Threads > 1: the cpu backend on a
    /// machine of 4 cores or more, its steps and the making of the patches split over them) does; any other takes its
    /// minibatches from PatchFeed (made on a second thread), and the feed's timing is returned.
    /// </summary>
    public static PatchFeed.Timing? Epoch(IKrotovLayer layer, NnlConvOptions conv, Matrix all, int[] images, int chunk, int batch, double lr, Random rng,
                                          bool center, bool unitPatches, Action? onStep = null) =>
        Epoch(layer, new PatchSource(all, images, conv, chunk, batch, center, unitPatches, rng), lr, onStep);

    /// <summary>The rest of an epoch from <paramref name="source"/> (at its start, or moved on by the steps a checkpoint
    /// has taken), as <see cref="Epoch(IKrotovLayer, NnlConvOptions, Matrix, int[], int, int, double, Random, bool, bool, Action?)"/>.</summary>
    public static PatchFeed.Timing? Epoch(IKrotovLayer layer, PatchSource source, double lr, Action? onStep = null)
    {
        if (layer is IMinibatchLearner { Threads: > 1 } learner)
        {
            learner.Learn(source, lr, onStep);
            return null;
        }
        return PatchFeed.Epoch(source, v =>
        {
            layer.Step(v, lr);
            onStep?.Invoke();
        });
    }

    /// <summary>Filters ordered from colourless to coloured: by the mean over pixels of the spread (max - min) of a
    /// filter's weights across its colour channels, relative to its largest |weight|. Grey images: the given order.</summary>
    public static int[] ColourOrder(Matrix w, int channels, int window)
    {
        var idx = Enumerable.Range(0, w.Rows).ToArray();
        if (channels < 2) return idx;
        int plane = window * window;
        var key = idx.Select(r =>
        {
            var row = w.Row(r);
            float max = 1e-30f;
            foreach (var x in row) max = MathF.Max(max, MathF.Abs(x));
            double spread = 0;
            for (int p = 0; p < plane; p++)
            {
                float lo = float.MaxValue, hi = float.MinValue;
                for (int c = 0; c < channels; c++) { lo = MathF.Min(lo, row[c * plane + p]); hi = MathF.Max(hi, row[c * plane + p]); }
                spread += (hi - lo) / max;
            }
            return spread / plane;
        }).ToArray();
        return [.. idx.OrderBy(i => key[i]).ThenBy(i => i)];
    }

    public string EvalHelp => """
          The encoder is the NNL-CONV layer with the run's filters, f = ReLU(x)^n, then max pooling; --n N (40),
          --normalize on|off (patch normalization; off with --n 1 is the plain CONV control), --padding P (0: zeros
          around each image before the layer; at most W - 1 of the widest block, which lets every pixel reach every
          position of a window), --pool-window P (11), --pool-stride S (6), --blocks RUN:n,RUN:n (more nnl-conv runs
          side by side, each with its own power: the multi-block network of Fig. 2 middle; all learned on the run's
          dataset). The probe defaults to linear.
        """;

    public string DefaultProbe => "linear";

    public IReadOnlyList<string> OwnProbes => [];

    public int RunOwnProbe(string probe, string run, Args a) =>
        throw new ArgumentOutOfRangeException(nameof(probe), probe, "the nnl-conv recipe has no probe of its own");

    public IReadOnlyList<EncoderOption> EncoderOptions =>
    [
        new("padding", "only an nnl-conv run's layer pads its images"),
        new("pool-window", "only an nnl-conv run's layer has pooling"),
        new("pool-stride", "only an nnl-conv run's layer has pooling"),
        new("blocks", "only an nnl-conv run takes more blocks"),
    ];

    /// <summary>The eval options behind NnlConvOptions' fields, for its validation errors.</summary>
    static readonly Dictionary<string, string> ConvOptionNames = new()
    {
        ["PoolWindow"] = "--pool-window", ["PoolStride"] = "--pool-stride", ["Padding"] = "--padding", ["Power"] = "--n",
    };

    /// <summary>Section 2's encoder on the run's filters (or U(-1, 1) ones), then any --blocks RUN:n,... side by side,
    /// each with its own filters, window and power (Fig. 2 middle).</summary>
    public EncoderPlan PlanEncoder(string target, JsonObject trained, Args a)
    {
        RunFolder.RequireFinished(target, "weights.npy");
        double n = a.Double("n", 40, 1);
        bool normalize = a.Choice("normalize", "on", "on", "off") == "on";
        int poolWindow = a.Int("pool-window", 11, 1), poolStride = a.Int("pool-stride", 6, 1), padding = a.Int("padding", 0, 0);
        string? blocks = a.Str("blocks");
        string tag = (normalize ? "" : "-conv") + $"-n{n}";
        return new EncoderPlan(tag, r =>
        {
            var (dataset, trainData, random, seed) = (r.Dataset, r.Train, r.Random, r.Seed);
            var specs = new List<(string Run, double N, JsonObject Options)> { (target, n, trained) };
            foreach (var spec in (blocks ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = spec.Split(':');
                if (parts.Length != 2 || !double.TryParse(parts[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double bn) || bn < 1)
                    throw new UsageException($"--blocks {blocks}: each block is RUN:n with n >= 1 (e.g. runs/w3:40,runs/w6:20)");
                var blockOptions = RunFolder.Options(parts[0]);
                if (blockOptions is null || RunFolder.Optional(blockOptions, parts[0], "rule", "krotov") != Rule || !File.Exists(Path.Combine(parts[0], "weights.npy")))
                    throw new UsageException($"--blocks: {parts[0]} is not a finished nnl-conv run");
                string blockDataset = RunFolder.Required<string>(blockOptions, parts[0], "dataset");
                if (blockDataset != dataset)
                    throw new UsageException($"--blocks: {parts[0]} learned its filters on {blockDataset}; every block must see the images of {dataset}, as {target} does");
                specs.Add((parts[0], bn, blockOptions));
            }
            var windows = specs.Select(b => RunFolder.Required<int>(b.Options, b.Run, "window")).ToList();
            // Zero padding of W - 1 lets every pixel reach every position of a window; more adds windows of zeros only.
            int widest = windows.Max();
            if (padding > widest - 1)
                throw new UsageException($"--padding {padding}: must be at most {widest - 1}, the widest block's window W = {widest} minus 1 (more padding adds only windows of zeros)");
            var encoders = new List<IEncoder>();
            var layers = new List<IDisposable>();
            for (int i = 0; i < specs.Count; i++)
            {
                var (blockRun, blockN, blockOptions) = specs[i];
                var w = Npy.Read(Path.Combine(blockRun, "weights.npy"));
                if (random) Randomize.Uniform(w, new Random(seed + i));
                var cOptions = new NnlConvOptions
                {
                    Height = trainData.Height, Width = trainData.Width, Channels = trainData.Channels, Window = windows[i],
                    Filters = w.Rows, PatchNormalization = normalize, Power = blockN, PoolWindow = poolWindow, PoolStride = poolStride,
                    Padding = padding, CenterPatches = RunFolder.Optional(blockOptions, blockRun, "center_patches", false),
                };
                try { cOptions.Validate(); }
                catch (ArgumentOutOfRangeException ex) { throw Args.OptionError(ex, ConvOptionNames); }
                var l = r.Engine.CreateNnlConv(cOptions, w);
                layers.Add(l);
                encoders.Add(new NnlConvEncoder(l, (normalize ? "NNL-CONV" : "CONV") + (random ? " with random U(-1, 1) filters" : "")));
            }
            return new RunEncoder(encoders.Count == 1 ? encoders[0] : new ConcatEncoder(encoders), layers)
            {
                OverflowCause = normalize ? null
                    : $"--n {n} with --normalize off: without patch normalization ReLU(w . v)^n of a raw patch overflows float32 (3.4e38); lower --n or use --normalize on",
            };
        });
    }
}

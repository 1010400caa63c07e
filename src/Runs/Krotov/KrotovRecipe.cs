using System.Diagnostics;
using System.Text.Json.Nodes;
using Hebb.Contracts;
using Hebb.Data;
using Hebb.Evaluation;
using Spectre.Console;

namespace Hebb.Runs;

/// <summary>
/// Krotov &amp; Hopfield end to end: <c>hebb train krotov</c> (the unsupervised phase: the fast rule of section 3 on
/// minibatches of images, the learning rate falling linearly to 0, appendix B), the encoder h = ReLU(W v)^n of eq. 1
/// for the probes, and the paper's own top layer as the probe "top" (<see cref="TopLayerEval"/>).
/// </summary>
public sealed class KrotovRecipe : IRecipe
{
    public string Rule => "krotov";

    public string TrainHelp => """
        hebb train krotov [options]
          Learns the hidden layer W of Krotov & Hopfield (PNAS 2019) with the fast minibatch rule (section 3).
          Defaults are the paper's MNIST settings (DESIGN.md); every hyperparameter is an option.

          --dataset mnist|fashion-mnist|cifar10   (mnist)
          --data DIR          dataset folder (default: $HEBB_DATA, else ./data)
          --units K           hidden units (2000)
          --p P               Lebesgue norm p (3; the paper's appendix B uses 4)
          --k K               rank of the unit pushed away (7)
          --delta D           anti-Hebbian strength Delta (0.4)
          --radius R          sphere radius R (1)
          --batch B           minibatch size (100)
          --lr EPS0           learning rate at the first epoch, falling linearly to 0 (0.04)
          --epochs E          epochs (100, as in the paper)
          --variant code|paper  authors' code (update / max|update|) or the paper's averaged eq. 2 (code)
          --engine accelerated|reference   (accelerated)
          --backend auto|cpu|cpu-managed|opencl|cuda   (auto, or $HEBB_BACKEND)
          --seed S            seed of the initial weights and the batch order (1)
          --init FILE.npy     start from these weights (K x N float32) instead of N(0, 1) (to continue a stopped run: --resume)
          --shuffle on|off    shuffle the training set each epoch (on)
          --limit N           use only the first N training images (all)
          --normalize on|off  scale each training image to a unit vector before the rule sees it (off; the paper's
                              CIFAR-10 section: "each input image was normalized to be a unit vector")
          --out DIR           run folder (runs/krotov-DATASET-TIME); the run writes into DIR.partial and takes DIR's
                              place when it finishes, so that an earlier run there is kept until then
          --resume            continue the unfinished run in DIR.partial (stopped by Ctrl-C, SIGTERM or a kill) from
                              its checkpoint, written every epoch and at a stop; the same options are required, and
                              the result is bit for bit the uninterrupted run's
          --algorithm fast|biological   (fast) the fast rule; or the comparison below

        """ + BiologicalComparison.Help;

    public int Train(Args a)
    {
        if (a.Choice("algorithm", "fast", "fast", "biological") == "biological") return BiologicalComparison.Run(a);
        string dataset = a.Choice("dataset", "mnist", Datasets.Names);
        string root = DataRoot.Resolve(a.Str("data"));
        int seed = a.Int("seed", 1);
        int epochs = a.Int("epochs", 100, 1);
        int batch = a.Int("batch", 100, 1);
        double lr0 = a.Positive("lr", 0.04);
        bool shuffle = a.Choice("shuffle", "on", "on", "off") == "on";
        int limit = a.Int("limit", int.MaxValue, 1);
        bool normalize = a.Choice("normalize", "off", "on", "off") == "on";
        string? init = a.Str("init");
        var variant = a.Choice("variant", "code", "code", "paper") == "paper" ? KrotovVariant.Paper : KrotovVariant.AuthorsCode;
        var engine = EngineChoice.Create(a);
        var target = RunTarget.Of(a, Path.Combine("runs", $"krotov-{dataset}-{DateTime.Now:yyyyMMdd-HHmmss}"));
        string finalDir = target.Final;
        bool resume = target.Resume;
        int units = a.Int("units", 2000, 1);
        double p = a.Double("p", 3), delta = a.Double("delta", 0.4), radius = a.Double("radius", 1.0);
        int rankK = a.Int("k", 7);
        a.RejectUnknown("train krotov");
        RankWithin(rankK, "--k", units, "--units");

        var data = Datasets.Load(dataset, root, train: true);
        int n = Math.Min(limit, data.Count);
        if (normalize) KrotovEncoder.UnitRows(data.Images);
        var options = new KrotovOptions
        {
            Units = units, Inputs = data.Images.Cols, P = p, RankK = rankK, Delta = delta, R = radius, Variant = variant,
        };
        try { options.Validate(); }
        catch (ArgumentOutOfRangeException ex)
        {
            throw Args.OptionError(ex, new Dictionary<string, string> { ["P"] = "--p", ["RankK"] = "--k", ["Delta"] = "--delta", ["R"] = "--radius", ["Units"] = "--units" });
        }

        if ((long)units * data.Images.Cols > Array.MaxLength)
            throw new UsageException($"--units {units}: {units:N0} x {data.Images.Cols} weights are more than one array holds ({Array.MaxLength:N0}); at most {Array.MaxLength / data.Images.Cols:N0} units on {dataset}");
        var rng = new Random(seed);
        Matrix w0;
        if (init is null) w0 = EngineChoice.Normal(options.Units, options.Inputs, rng);
        else w0 = InitialWeights.Read(init, options.Units, options.Inputs, $"--units {options.Units} on {dataset}");
        double bound = Divergence.SphereBound(w0, options.R);
        if (engine is not Hebb.Reference.ReferenceEngine && options.P > 1)
        {
            // The currents sum sign(W)|W|^(p-1) v over the inputs in float32: refused where that passes float32's range.
            double largest = w0.Data.Max(x => Math.Abs((double)x));
            double log10 = (options.P - 1) * Math.Log10(Math.Max(largest, 1e-300)) + Math.Log10(options.Inputs);
            if (log10 > 38)
                throw new UsageException($"--p {options.P}: the currents sum |W|^(p-1) over {options.Inputs} inputs, about 1e{log10:F0} for these weights " +
                                         $"(largest |W| {largest:g3}), past float32's 3.4e38; use a smaller --p, or --engine reference (float64)");
        }

        var stage = target.Stage();
        string outDir = stage.Dir;
        var resolved = new JsonObject
        {
            ["rule"] = Rule, ["dataset"] = dataset, ["data"] = root, ["engine"] = engine.Name,
            ["units"] = options.Units, ["inputs"] = options.Inputs, ["p"] = options.P, ["k"] = options.RankK,
            ["delta"] = options.Delta, ["radius"] = options.R, ["variant"] = variant.ToString(),
            ["batch"] = batch, ["lr"] = lr0, ["epochs"] = epochs, ["seed"] = seed, ["shuffle"] = shuffle,
            ["init"] = init, ["normalize"] = normalize, ["images"] = n, ["height"] = data.Height, ["width"] = data.Width, ["channels"] = data.Channels,
        };
        var metricsPath = Path.Combine(outDir, "metrics.jsonl");
        var order = Enumerable.Range(0, n).ToArray();
        int steps = (n + batch - 1) / batch;
        var sphere = new List<double>();
        int startEpoch = 0, startStep = 0;
        if (resume)
        {
            // The unfinished run's checkpoint, and the seeded draws replayed up to it (W0 above, then each epoch's order).
            var cp = Checkpoint.Resume(outDir, finalDir, resolved);
            (startEpoch, startStep, w0) = (cp.Epoch, cp.Step, cp.State["weights"].AsMatrix());
            for (int e = 0; e < startEpoch + (startStep > 0 ? 1 : 0); e++) if (shuffle) rng.Shuffle(order);
            sphere.AddRange(Checkpoint.KeepMetrics(metricsPath, (_, i) => i < startEpoch).Select(j => (double)j["share_on_sphere"]!));
        }
        else Checkpoint.StartFresh(outDir, resolved, metricsPath);
        AnsiConsole.MarkupLine($"[bold]hebb train krotov[/] on {dataset} ({n:N0} images), {Markup.Escape(engine.Name)}, {epochs} epoch(s) -> {Markup.Escape(finalDir)}" +
                               (resume ? $", resumed at epoch {startEpoch + 1}, step {startStep}" : ""));

        using var layer = engine.CreateKrotov(options, w0);
        ILearner<KrotovStep> learner = layer;
        var schedule = new LinearDecay(lr0);
        var total = Stopwatch.StartNew();
        using var stop = new StopSignal();
        Progress.Run("training", (double)epochs * steps, task =>
        {
            task.Increment((double)startEpoch * steps + startStep);
            for (int epoch = startEpoch; epoch < epochs; epoch++)
            {
                int first = epoch == startEpoch ? startStep : 0;
                if (shuffle && first == 0) rng.Shuffle(order);
                var values = schedule.At(new TrainingTime(epoch, epochs, 0, steps));
                var sw = Stopwatch.StartNew();
                for (int s = first; s < steps; s++)
                {
                    int count = Math.Min(batch, n - s * batch);
                    var v = data.Images.Gather(order.AsSpan(s * batch, count));
                    learner.Step(v, values);
                    task.Increment(1);
                    stop.Stepped();
                    if (stop.Requested && s + 1 < steps)
                        throw stage.Stop(new Checkpoint(epoch, s + 1, learner.ReadState()), $"at epoch {epoch + 1}, step {s + 1} of {steps}");
                }
                double secs = sw.Elapsed.TotalSeconds;
                var weights = layer.ReadWeights();
                Divergence.CheckFinite(weights, epoch + 1, lr0, outDir, bound);
                var (median, onSphere) = Sphere.Deviation(weights, options.P);
                sphere.Add(onSphere);
                var line = new JsonObject
                {
                    ["epoch"] = epoch + 1, ["lr"] = values.LearningRate, ["seconds"] = secs, ["samples_per_s"] = n / secs,
                    ["median_abs_norm_minus_1"] = median, ["share_on_sphere"] = onSphere,
                };
                File.AppendAllText(metricsPath, line.ToJsonString() + "\n");
                task.Description = $"epoch {epoch + 1}/{epochs} {n / secs:N0} samples/s, {onSphere:P0} of units on the sphere";
                new Checkpoint(epoch + 1, 0, learner.ReadState()).Write(outDir);
                if (stop.Requested && epoch + 1 < epochs)
                    throw stage.Stopped($"after epoch {epoch + 1}");
            }
        });
        Checkpoint.Remove(outDir);

        var w = layer.ReadWeights();
        Npy.Write(Path.Combine(outDir, "weights.npy"), w);
        Pictures.FilterGrid(Path.Combine(outDir, "filters.png"), w, data.Height, data.Width, data.Channels, Math.Min(100, w.Rows), 10);
        // The paper's Fig. 5: 25 units chosen at random (seeded), each scaled to its largest |weight| around grey, so that
        // the large negative elements show (dark, or the complementary colour) beside the positive ones.
        var chosen = EngineChoice.Permutation(w.Rows, new Random(seed + 25)).Take(Math.Min(25, w.Rows)).ToArray();
        Pictures.FilterGrid(Path.Combine(outDir, "units-fig5.png"), w.Gather(chosen), data.Height, data.Width, data.Channels, chosen.Length, 5, scale: 5);
        Charts.Lines(Path.Combine(outDir, "sphere.png"), $"{finalDir}: Krotov-Hopfield training on {dataset}, units reaching the unit p-sphere (p = {options.P}; | sum |W|^p - 1 | <= 0.05)",
            "epoch", "units on the sphere (%)",
            [new("units on the sphere", Enumerable.Range(1, sphere.Count).Select(e => (double)e).ToArray(), sphere.Select(x => 100 * x).ToArray())]);
        RunFolder.WriteText(Path.Combine(outDir, "report.md"), $"""
            # Krotov–Hopfield unsupervised training

            - dataset: {dataset}, {n:N0} training images; engine: {engine.Name}
            - {options.Units} units, p = {options.P}, k = {options.RankK}, Delta = {options.Delta}, R = {options.R}, variant {variant}
            - {epochs} epoch(s) of minibatches of {batch}, learning rate {lr0} falling linearly to 0, seed {seed}
            - time: {total.Elapsed.TotalSeconds:F1} s
            - after the last epoch, {sphere[^1]:P1} of the units lie on the unit p-sphere (| sum |W|^p - 1 | <= 0.05)

            Files: `options.json` (resolved options), `metrics.jsonl` (one line per epoch), `weights.npy`
            (the {options.Units}x{options.Inputs} weights, `numpy.load`), `filters.png` (the first 100 units;
            red positive, blue negative, white zero; colour images: grey is zero, each channel brighter where positive and
            darker where negative), `units-fig5.png` (25 units chosen at random, as the paper's Fig. 5 shows CIFAR-10's), `sphere.png`
            (share of units on the sphere per epoch).
            Next: `hebb eval {finalDir}` trains the top layer on these frozen weights.
            """);
        stage.Commit();
        AnsiConsole.MarkupLine($"done in {total.Elapsed.TotalSeconds:F1} s; weights, filters.png and report.md in {Markup.Escape(finalDir)}");
        return 0;
    }

    /// <summary>"1st", "2nd", "7th".</summary>
    public static string Ordinal(int i) => i switch { 1 => "1st", 2 => "2nd", 3 => "3rd", _ => $"{i}th" };

    /// <summary>Refuses a rank of the unit pushed away (eq. 2's g = -Delta) beyond the number of units: the rule's
    /// engines would then push no unit at all, which <c>--delta 0</c> says plainly.</summary>
    public static void RankWithin(int rank, string rankOption, int units, string unitsOption)
    {
        if (rank > units)
            throw new UsageException($"{rankOption} {rank}: must be at most {unitsOption} ({units}), since it ranks one of those units; " +
                                     "for no unit pushed away use --delta 0");
    }

    public string EvalHelp => TopLayerEval.Help + "\n\n" + """
          --probe linear|mlp|fewshot: the encoder is eq. 1's h = ReLU(W v)^n with --n N (4.5) and --normalize on|off (on).
        """;

    public string DefaultProbe => "top";

    public IReadOnlyList<string> OwnProbes => ["top"];

    public int RunOwnProbe(string probe, string run, Args a) => probe == "top"
        ? TopLayerEval.Run(run, a)
        : throw new ArgumentOutOfRangeException(nameof(probe), probe, "the krotov recipe's own probe is top");

    public IReadOnlyList<EncoderOption> EncoderOptions => [];

    /// <summary>Eq. 1's h = ReLU(W v)^n on the run's weights (or U(-1, 1) ones): --n N (4.5), --normalize on|off (each
    /// image a unit vector first, the authors' remark; on).</summary>
    public EncoderPlan PlanEncoder(string run, JsonObject options, Args a)
    {
        RunFolder.RequireFinished(run, "weights.npy");
        double n = a.Double("n", 4.5, 1);
        bool normalize = a.Choice("normalize", "on", "on", "off") == "on";
        return new EncoderPlan("", r =>
        {
            var w = Npy.Read(Path.Combine(run, "weights.npy"));
            if (r.Random) Randomize.Uniform(w, new Random(r.Seed));
            var kOptions = new KrotovOptions
            {
                Units = w.Rows, Inputs = w.Cols, P = RunFolder.Optional(options, run, "p", 3.0), RankK = Math.Max(2, RunFolder.Optional(options, run, "k", 2)),
            };
            var layer = r.Engine.CreateKrotov(kOptions, w);
            return new RunEncoder(new KrotovEncoder(layer, n, normalize, r.Random ? "random U(-1, 1) weights" : "Krotov–Hopfield"), [layer])
            {
                Competition = (layer.Options.Units, x => Metrics.Winners(layer, x)),
            };
        });
    }
}

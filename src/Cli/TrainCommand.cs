using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Hebb.Contracts;
using Hebb.Data;
using Spectre.Console;

namespace Hebb.Cli;

/// <summary><c>hebb train krotov</c>: the unsupervised phase of Krotov &amp; Hopfield on a dataset.</summary>
static class TrainCommand
{
    public const string Help = """
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
          --init FILE.npy     start from these weights (K x N float32) instead of N(0, 1), e.g. to resume
          --shuffle on|off    shuffle the training set each epoch (on)
          --limit N           use only the first N training images (all)
          --out DIR           run folder (runs/krotov-DATASET-TIME)
        """;

    public static int Run(Args a)
    {
        if (a.Positional.Count >= 2 && a.Positional[1] == "nnl-conv") return NnlConvTrainCommand.Run(a);
        if (a.Positional.Count < 2 || a.Positional[1] != "krotov")
            throw new UsageException("train: the rule is missing or unknown; available: krotov, nnl-conv (hebb train --help)");
        string dataset = a.Choice("dataset", "mnist", Datasets.Names);
        string root = DataRoot.Resolve(a.Str("data"));
        int seed = a.Int("seed", 1);
        int epochs = a.Int("epochs", 100, 1);
        int batch = a.Int("batch", 100, 1);
        double lr0 = a.Positive("lr", 0.04);
        bool shuffle = a.Choice("shuffle", "on", "on", "off") == "on";
        int limit = a.Int("limit", int.MaxValue, 1);
        string? init = a.Str("init");
        var variant = a.Choice("variant", "code", "code", "paper") == "paper" ? KrotovVariant.Paper : KrotovVariant.AuthorsCode;
        var engine = Engines.Create(a);
        string outDir = a.Str("out") ?? Path.Combine("runs", $"krotov-{dataset}-{DateTime.Now:yyyyMMdd-HHmmss}");
        int units = a.Int("units", 2000, 1);
        double p = a.Double("p", 3), delta = a.Double("delta", 0.4), radius = a.Double("radius", 1.0);
        int rankK = a.Int("k", 7);
        a.RejectUnknown("train krotov");
        RankWithin(rankK, "--k", units, "--units");

        var data = Datasets.Load(dataset, root, train: true);
        int n = Math.Min(limit, data.Count);
        var options = new KrotovOptions
        {
            Units = units, Inputs = data.Images.Cols, P = p, RankK = rankK, Delta = delta, R = radius, Variant = variant,
        };
        try { options.Validate(); }
        catch (ArgumentOutOfRangeException ex)
        {
            throw Args.OptionError(ex, new Dictionary<string, string> { ["P"] = "--p", ["RankK"] = "--k", ["Delta"] = "--delta", ["R"] = "--radius", ["Units"] = "--units" });
        }

        var rng = new Random(seed);
        Matrix w0;
        if (init is null) w0 = Engines.Normal(options.Units, options.Inputs, rng);
        else
        {
            w0 = Npy.Read(init);
            if (w0.Rows != options.Units || w0.Cols != options.Inputs)
                throw new UsageException($"--init {init}: the weights are {w0.Rows}x{w0.Cols}; --units {options.Units} on {dataset} needs {options.Units}x{options.Inputs}");
        }

        StartRunFolder(outDir, a.Str("out") is not null);
        var resolved = new JsonObject
        {
            ["rule"] = "krotov", ["dataset"] = dataset, ["data"] = root, ["engine"] = engine.Name,
            ["units"] = options.Units, ["inputs"] = options.Inputs, ["p"] = options.P, ["k"] = options.RankK,
            ["delta"] = options.Delta, ["radius"] = options.R, ["variant"] = variant.ToString(),
            ["batch"] = batch, ["lr"] = lr0, ["epochs"] = epochs, ["seed"] = seed, ["shuffle"] = shuffle,
            ["init"] = init, ["images"] = n, ["height"] = data.Height, ["width"] = data.Width, ["channels"] = data.Channels,
        };
        WriteText(Path.Combine(outDir, "options.json"), resolved.ToJsonString(new() { WriteIndented = true }));
        AnsiConsole.MarkupLine($"[bold]hebb train krotov[/] on {dataset} ({n:N0} images), {Markup.Escape(engine.Name)}, {epochs} epoch(s) -> {Markup.Escape(outDir)}");

        using var layer = engine.CreateKrotov(options, w0);
        var metricsPath = Path.Combine(outDir, "metrics.jsonl");
        File.WriteAllText(metricsPath, "");
        var order = Enumerable.Range(0, n).ToArray();
        int steps = (n + batch - 1) / batch;
        var sphere = new List<double>();
        var total = Stopwatch.StartNew();
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("training", maxValue: (double)epochs * steps);
                for (int epoch = 0; epoch < epochs; epoch++)
                {
                    if (shuffle) rng.Shuffle(order);
                    double lr = lr0 * (1.0 - (double)epoch / epochs);
                    var sw = Stopwatch.StartNew();
                    for (int s = 0; s < steps; s++)
                    {
                        int count = Math.Min(batch, n - s * batch);
                        var v = data.Images.Gather(order.AsSpan(s * batch, count));
                        layer.Step(v, lr);
                        task.Increment(1);
                    }
                    double secs = sw.Elapsed.TotalSeconds;
                    var weights = layer.ReadWeights();
                    CheckFinite(weights, epoch + 1, lr0, outDir);
                    var (median, onSphere) = SphereDeviation(weights, options.P);
                    sphere.Add(onSphere);
                    var line = new JsonObject
                    {
                        ["epoch"] = epoch + 1, ["lr"] = lr, ["seconds"] = secs, ["samples_per_s"] = n / secs,
                        ["median_abs_norm_minus_1"] = median, ["share_on_sphere"] = onSphere,
                    };
                    File.AppendAllText(metricsPath, line.ToJsonString() + "\n");
                    task.Description = $"epoch {epoch + 1}/{epochs} {n / secs:N0} samples/s, {onSphere:P0} of units on the sphere";
                }
            });

        var w = layer.ReadWeights();
        Npy.Write(Path.Combine(outDir, "weights.npy"), w);
        Pictures.FilterGrid(Path.Combine(outDir, "filters.png"), w, data.Height, data.Width, data.Channels, Math.Min(100, w.Rows), 10);
        Pictures.Curves(Path.Combine(outDir, "sphere.png"), [("share of units on the sphere", sphere.ToArray())]);
        WriteText(Path.Combine(outDir, "report.md"), $"""
            # Krotov–Hopfield unsupervised training

            - dataset: {dataset}, {n:N0} training images; engine: {engine.Name}
            - {options.Units} units, p = {options.P}, k = {options.RankK}, Delta = {options.Delta}, R = {options.R}, variant {variant}
            - {epochs} epoch(s) of minibatches of {batch}, learning rate {lr0} falling linearly to 0, seed {seed}
            - time: {total.Elapsed.TotalSeconds:F1} s
            - after the last epoch, {sphere[^1]:P1} of the units lie on the unit p-sphere (| sum |W|^p - 1 | <= 0.05)

            Files: `options.json` (resolved options), `metrics.jsonl` (one line per epoch), `weights.npy`
            (the {options.Units}x{options.Inputs} weights, `numpy.load`), `filters.png` (the first 100 units;
            red positive, blue negative, white zero), `sphere.png` (share of units on the sphere per epoch).
            Next: `hebb eval {outDir}` trains the top layer on these frozen weights.
            """);
        AnsiConsole.MarkupLine($"done in {total.Elapsed.TotalSeconds:F1} s; weights, filters.png and report.md in {Markup.Escape(outDir)}");
        return 0;
    }

    /// <summary>
    /// Makes a run folder ready for a new run: creates it, and, where it holds an earlier run (its options.json),
    /// removes what that run left as its result (weights.npy, report.md and the pictures), since the new options.json
    /// no longer describes them; a run that then fails leaves no weights that <c>hebb eval</c> would take for finished.
    /// A folder that holds no run keeps all its files; one that cannot be written is refused before anything in it
    /// is removed.
    /// </summary>
    public static void StartRunFolder(string outDir, bool given)
    {
        Args.OutputFolder(outDir, given ? "--out" : "the run folder");
        if (!File.Exists(Path.Combine(outDir, "options.json"))) return;
        foreach (var stale in new[] { "weights.npy", "report.md", "filters.png", "filters-fig1.png", "sphere.png" }) File.Delete(Path.Combine(outDir, stale));
    }

    /// <summary>Refuses a rank of the unit pushed away (eq. 2's g = -Delta) beyond the number of units: the rule's
    /// engines would then push no unit at all, which <c>--delta 0</c> says plainly.</summary>
    public static void RankWithin(int rank, string rankOption, int units, string unitsOption)
    {
        if (rank > units)
            throw new UsageException($"{rankOption} {rank}: must be at most {unitsOption} ({units}), since it ranks one of those units; " +
                                     "for no unit pushed away use --delta 0");
    }

    /// <summary>Stops a run whose weights are no longer all finite numbers (the learning rate was too large for the
    /// data: NaN and infinities never come back), naming the epoch and the rate; weights.npy is not written.</summary>
    public static void CheckFinite(Matrix w, int epoch, double lr0, string outDir)
    {
        int bad = 0;
        foreach (var x in w.Data) if (!float.IsFinite(x)) bad++;
        if (bad > 0)
            throw new DivergedException($"training diverged: after epoch {epoch} {bad:N0} of the {w.Data.Length:N0} weights are NaN or infinite; " +
                                        $"--lr {lr0} is too large for these inputs, try a smaller --lr. {outDir} keeps options.json and the metrics of the epochs before; no weights.npy was written");
    }

    /// <summary>How far W is from the unit p-sphere: the median of | sum_i |W_mu,i|^p - 1 | over the units,
    /// and the share of units within 0.05 of it (a few units that rarely win can stay far off and would
    /// dominate a mean).</summary>
    public static (double Median, double OnSphere) SphereDeviation(Matrix w, double p)
    {
        var dev = new double[w.Rows];
        for (int mu = 0; mu < w.Rows; mu++)
        {
            double s = 0;
            foreach (var x in w.Row(mu)) s += Math.Pow(Math.Abs(x), p);
            dev[mu] = Math.Abs(s - 1);
        }
        Array.Sort(dev);
        return (dev[dev.Length / 2], dev.Count(d => d <= 0.05) / (double)dev.Length);
    }

    public static void WriteText(string path, string text) => AtomicFile.Write(path, s =>
    {
        using var wr = new StreamWriter(s);
        wr.Write(text.EndsWith('\n') ? text : text + "\n");
    });
}

/// <summary>A training run's weights stopped being finite numbers (exit code 4).</summary>
public sealed class DivergedException(string message) : Exception(message);

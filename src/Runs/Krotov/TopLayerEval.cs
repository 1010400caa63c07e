using System.Diagnostics;
using System.Numerics.Tensors;
using System.Text.Json.Nodes;
using Hebb.Contracts;
using Hebb.Data;
using Hebb.Evaluation;
using Spectre.Console;

namespace Hebb.Runs;

/// <summary>
/// <c>hebb eval RUN --probe top</c>: Krotov &amp; Hopfield's supervised phase (eq. 1, appendix B) on a run's frozen
/// weights: h = ReLU(W v)^n, c = tanh(S h), Adam on sum |c - t|^m with the paper's schedule scaled to the epochs.
/// </summary>
public static class TopLayerEval
{
    public const string Help = """
          --probe top (the default): Krotov & Hopfield's own top layer c = tanh(S h), Adam on
          sum |c - t|^m (appendix B); reports train and test error. Its options:

          --n N               power of the rectified activation (4.5)
          --m M               power of the loss (6)
          --epochs E          epochs of Adam (300, as in the paper)
          --batch B           minibatch size (100)
          --lr LR             Adam's learning rate at the start (0.001); then as the schedule says
          --schedule mnist|cifar10  appendix B's schedule, scaled to E epochs (mnist):
                              mnist (300 epochs): LR for the first third, then x0.5 to 1/2, x0.1 to 2/3, x0.05 to 5/6, x0.01
                              cifar10 (500 epochs): LR for the first fifth, then every tenth x0.5, 0.25, 0.125, 0.05,
                              0.025, 0.0125, 0.005, 0.0025 (the paper's 0.004 falling to 0.00001)
          --normalize on|off  scale each image to a unit vector before the top layer (on; the authors' remark)
          --scale none|max    max: h divided by its largest value over the training images, one constant for every
                              unit and image, as tanh(beta S h) with beta = 1 / max h (none: eq. 1 as the paper
                              writes it; max is not in the paper: at n = 10 on CIFAR-10 eq. 1's h reaches 10^8 and
                              tanh saturates from the first step)
          --out DIR           report folder (RUN/eval)
        """;

    public static int Run(string run, Args a)
    {
        string optionsPath = Path.Combine(run, "options.json"), weightsPath = Path.Combine(run, "weights.npy");
        if (!File.Exists(optionsPath) || !File.Exists(weightsPath))
            throw new UsageException($"eval: {run} is not a finished training run (it needs options.json and weights.npy)");
        var trained = RunFolder.Options(run)!;
        string dataset = RunFolder.Required<string>(trained, run, "dataset");
        string root = a.Str("data") is { } d ? DataRoot.Resolve(d) : RunFolder.Optional<string?>(trained, run, "data", null) ?? DataRoot.Resolve(null);
        double n = a.Double("n", 4.5, 1), m = a.Double("m", 6, 2);
        int epochs = a.Int("epochs", 300, 1), batch = a.Int("batch", 100, 1), seed = a.Int("seed", 1);
        double lr0 = a.Positive("lr", 0.001);
        string schedule = a.Choice("schedule", "mnist", "mnist", "cifar10");
        bool normalize = a.Choice("normalize", "on", "on", "off") == "on";
        bool scaleByMax = a.Choice("scale", "none", "none", "max") == "max";
        int limitTrain = a.Int("limit-train", int.MaxValue, 1), limitTest = a.Int("limit-test", int.MaxValue, 1);
        string? outOption = a.Str("out");
        var engine = EngineChoice.Create(a);
        a.RejectUnknown("eval");

        var w = Npy.Read(weightsPath);
        var train = Datasets.Load(dataset, root, train: true);
        var test = Datasets.Load(dataset, root, train: false);
        var kOptions = new KrotovOptions
        {
            Units = w.Rows, Inputs = w.Cols, P = RunFolder.Optional(trained, run, "p", 3.0), RankK = Math.Max(2, RunFolder.Optional(trained, run, "k", 2)),
        };
        using var layer = engine.CreateKrotov(kOptions, w);
        using var stage = StagedRun.Start(outOption ?? Path.Combine(run, "eval"), outOption is null ? "the report folder" : "--out", keepUnfinished: false);
        string outDir = stage.Dir;
        AnsiConsole.MarkupLine($"[bold]hebb eval[/] {Markup.Escape(run)}: {w.Rows} units on {dataset}, {Markup.Escape(engine.Name)}");
        var sw = Stopwatch.StartNew();
        var (hTrain, yTrain) = Encode(layer, train, Math.Min(limitTrain, train.Count), n, normalize);
        var (hTest, yTest) = Encode(layer, test, Math.Min(limitTest, test.Count), n, normalize);
        AnsiConsole.MarkupLine($"encoded {hTrain.Rows:N0} + {hTest.Rows:N0} images in {sw.Elapsed.TotalSeconds:F1} s");
        float hMax = TensorPrimitives.Max<float>(hTrain.Data);
        if (scaleByMax && hMax > 0)
        {
            TensorPrimitives.Multiply(hTrain.Data, 1 / hMax, hTrain.Data);
            TensorPrimitives.Multiply(hTest.Data, 1 / hMax, hTest.Data);
        }

        var rng = new Random(seed);
        var topOptions = new TopLayerOptions { Hidden = w.Rows, Classes = 10, M = m };
        using var top = engine.CreateTopLayer(topOptions, EngineChoice.Normal(10, w.Rows, rng, 0.01));
        Directory.CreateDirectory(outDir);
        string metricsPath = Path.Combine(outDir, "metrics.jsonl");
        File.WriteAllText(metricsPath, "");
        var trainErr = new List<double>();
        var testErr = new List<double>();
        var losses = new List<double>();
        var order = Enumerable.Range(0, hTrain.Rows).ToArray();
        int steps = (hTrain.Rows + batch - 1) / batch;
        Progress.Run("top layer", (double)epochs * steps, task =>
            {
                for (int e = 0; e < epochs; e++)
                {
                    rng.Shuffle(order);
                    double lr = lr0 * Schedule((double)e / epochs, schedule);
                    double loss = 0;
                    for (int s = 0; s < steps; s++)
                    {
                        var idx = order.AsSpan(s * batch, Math.Min(batch, hTrain.Rows - s * batch));
                        var hb = hTrain.Gather(idx);
                        var yb = new int[idx.Length];
                        for (int i = 0; i < idx.Length; i++) yb[i] = yTrain[idx[i]];
                        loss += top.Step(hb, yb, lr);
                        task.Increment(1);
                    }
                    Divergence.CheckFinite(top.ReadWeights(), e + 1, lr0, outDir, 1e6,
                        "a top layer's weights have no business past 10^6: tanh saturates long before", $"An earlier evaluation in {stage.Final} is untouched.");
                    double etr = Error(top, hTrain, yTrain), ete = Error(top, hTest, yTest), meanLoss = loss / hTrain.Rows;
                    trainErr.Add(etr); testErr.Add(ete); losses.Add(meanLoss);
                    File.AppendAllText(metricsPath, new JsonObject
                    {
                        ["epoch"] = e + 1, ["lr"] = lr, ["loss"] = meanLoss, ["train_error"] = etr, ["test_error"] = ete,
                    }.ToJsonString() + "\n");
                    task.Description = $"epoch {e + 1}/{epochs} train error {etr:P2}, test error {ete:P2}";
                }
            });

        string? stuck = Stuck(losses, hMax, scaleByMax);
        if (stuck is not null) Console.Error.WriteLine($"hebb: note: {stuck}");
        var result = new JsonObject
        {
            ["stuck"] = stuck, ["run"] = run, ["dataset"] = dataset, ["engine"] = engine.Name, ["n"] = n, ["m"] = m, ["epochs"] = epochs,
            ["batch"] = batch, ["lr"] = lr0, ["schedule"] = schedule, ["normalize"] = normalize, ["scale"] = scaleByMax ? "max" : "none", ["h_max"] = hMax, ["seed"] = seed,
            ["train_images"] = hTrain.Rows, ["test_images"] = hTest.Rows,
            ["train_error"] = trainErr[^1], ["test_error"] = testErr[^1], ["seconds"] = sw.Elapsed.TotalSeconds,
        };
        RunFolder.WriteText(Path.Combine(outDir, "eval.json"), result.ToJsonString(RunFolder.Json));
        var epochAxis = Enumerable.Range(1, trainErr.Count).Select(e => (double)e).ToArray();
        Charts.Lines(Path.Combine(outDir, "errors.png"), $"{run}: Krotov-Hopfield top layer (n = {n}, m = {m}) on {dataset}", "epoch of the top layer's training", "error (%)",
            [new($"train ({hTrain.Rows:N0} images)", epochAxis, trainErr.Select(x => 100 * x).ToArray()), new($"test ({hTest.Rows:N0} images)", epochAxis, testErr.Select(x => 100 * x).ToArray())]);
        RunFolder.WriteText(Path.Combine(outDir, "report.md"), $"""
            # Top layer on frozen Krotov–Hopfield weights

            - run: {run} ({w.Rows} units, {dataset}); engine: {engine.Name}
            - h = ReLU(W v)^{n}{(normalize ? " with each image scaled to a unit vector" : "")}; its largest value on the training images {hMax:g4}{(scaleByMax ? ", by which every h is divided (--scale max, not in the paper)" : "")}
            - c = tanh(S h), loss sum |c - t|^{m}, Adam, {epochs} epoch(s) of minibatches of {batch}, lr {lr0} (appendix B's {schedule} schedule scaled to the epochs)
            - train error {trainErr[^1]:P2} on {hTrain.Rows:N0} images; **test error {testErr[^1]:P2}** on {hTest.Rows:N0} images
            - time {sw.Elapsed.TotalSeconds:F1} s{(stuck is null ? "" : $"\n- **note:** {stuck}")}

            `errors.png`: train and test error per epoch; `metrics.jsonl`: one line per epoch.
            """);
        stage.Commit();
        AnsiConsole.MarkupLine($"train error [bold]{trainErr[^1]:P2}[/], test error [bold]{testErr[^1]:P2}[/] ({Markup.Escape(stage.Final)})");
        return 0;
    }

    /// <summary>A note where the top layer stopped learning: its loss the same (to 1e-9, relative) over the last half of
    /// its epochs (at least 2), which is what a saturated tanh(S h) does (its gradient 0 in float32); null otherwise.
    /// <paramref name="hMax"/>: eq. 1's largest h on the training images; <paramref name="scaled"/>: whether h was
    /// divided by it (--scale max).</summary>
    public static string? Stuck(IReadOnlyList<double> losses, float hMax, bool scaled)
    {
        if (losses.Count < 3) return null;
        int last = Math.Max(2, losses.Count / 2);
        double reference = losses[^1];
        for (int i = losses.Count - last; i < losses.Count; i++)
            if (Math.Abs(losses[i] - reference) > 1e-9 * Math.Abs(reference)) return null;
        return $"the top layer's loss has not moved over its last {last} epochs ({reference:g6}): tanh(S h) is saturated and its gradient is 0; " +
               $"the largest h = ReLU(W v)^n on the training images is {hMax:g3} (a smaller --n keeps h nearer 1{(scaled ? "" : "; --scale max divides it by that")})";
    }

    /// <summary>Appendix B's schedules as multiples of the first learning rate, at fraction f of training: MNIST's
    /// 300 epochs (1e-3 for 100, then 5e-4, 1e-4, 5e-5, 1e-5 every 50) or CIFAR-10's 500 (4e-3 for 100, then 2e-3, 1e-3,
    /// 5e-4, 2e-4, 1e-4, 5e-5, 2e-5, 1e-5 every 50).</summary>
    public static double Schedule(double f, string schedule = "mnist")
    {
        if (schedule == "cifar10")
        {
            double[] steps = [0.5, 0.25, 0.125, 0.05, 0.025, 0.0125, 0.005, 0.0025];
            // f = epoch / epochs: the tenth it falls in, with a margin for the rounding of e / E (0.3 - 0.2 is 0.0999...).
            int tenth = (int)Math.Floor(f * 10 + 1e-9);
            return tenth < 2 ? 1 : steps[Math.Min(steps.Length - 1, tenth - 2)];
        }
        return f < 1.0 / 3 ? 1 : f < 0.5 ? 0.5 : f < 2.0 / 3 ? 0.1 : f < 5.0 / 6 ? 0.05 : 0.01;
    }

    static (Matrix H, int[] Labels) Encode(IKrotovLayer layer, Dataset data, int count, double n, bool normalize) =>
        (new KrotovEncoder(layer, n, normalize).Encode(count == data.Count ? data.Images : data.Images.SliceRows(0, count)), data.Labels.AsSpan(0, count).ToArray());

    /// <summary>Share of rows whose largest output (ties: lowest class) is not the label.</summary>
    static double Error(ITopLayer top, Matrix h, int[] labels)
    {
        int wrong = 0;
        const int chunk = 5000;
        for (int start = 0; start < h.Rows; start += chunk)
        {
            int c = Math.Min(chunk, h.Rows - start);
            var outp = top.Forward(h.SliceRows(start, c));
            for (int r = 0; r < c; r++)
            {
                if (Metrics.ArgMax(outp.Row(r)) != labels[start + r]) wrong++;
            }
        }
        return (double)wrong / h.Rows;
    }
}

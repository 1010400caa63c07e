using System.Diagnostics;
using System.Text.Json.Nodes;
using Hebb.Contracts;
using Hebb.Data;
using Hebb.Reference;
using Spectre.Console;

namespace Hebb.Runs;

/// <summary>
/// Section 3's claim, measured: the fast rule approximates the slow "biological" algorithm of section 2.2. From the same
/// start W0 and on the same inputs in the same order, one sample at a time, the reference engine runs both: the
/// biological step (<c>Krotov.biologicalStep</c>: the currents, eq. 4's hidden units with global inhibition integrated to
/// their steady state, g(h) = 1 above h*, -Delta in (0, h*), 0 below, and eq. 2's update for every unit) and the fast
/// rule as the paper states it (<c>Krotov.fastStep</c>, batch 1: g = 1 for the strongest current, -Delta for the k-th).
/// Writes the biological weights as the run and the fast rule's as RUN/fast (both run folders that <c>hebb eval</c>
/// takes), and per epoch how alike the two are and what the steady states looked like.
/// </summary>
public static class BiologicalComparison
{
    public const string Help = """
          --algorithm biological   section 3's claim, measured: the slow algorithm of section 2.2 (eq. 4's global
                              inhibition to the steady state, then eq. 2 for every unit) beside the fast rule (the
                              paper's variant, batch 1) from the same start on the same inputs, one at a time, both on
                              the reference engine; writes RUN (biological) and RUN/fast, each a run hebb eval takes.
                              Its options: --units (100) --limit (2000 images) --epochs (5) --lr (0.02) --p --k
                              --delta --radius --seed --init FILE.npy --dataset --data --out, and eq. 4's:
          --w-inh W           global inhibition w_inh (0.2)
          --h-star H          the learning threshold h* of g(h) (5; the paper gives only its sign)
          --dt DT             Euler step dt/tau (1 / (1 + w_inh (K - 1)), which is stable)
          --tol T             the steady state: max |dh/dt| <= T (1e-6)   --max-steps S (100000)
        """;

    public static int Run(Args a)
    {
        string dataset = a.Choice("dataset", "mnist", Datasets.Names);
        string root = DataRoot.Resolve(a.Str("data"));
        int seed = a.Int("seed", 1), epochs = a.Int("epochs", 5, 1), units = a.Int("units", 100, 1), limit = a.Int("limit", 2000, 1), rankK = a.Int("k", 7, 2);
        double lr0 = a.Positive("lr", 0.02), p = a.Double("p", 3, 1), delta = a.Double("delta", 0.4, 0), radius = a.Positive("radius", 1.0);
        double wInh = a.Double("w-inh", 0.2, 0), hStar = a.Double("h-star", 5.0);
        double dt = a.Double("dt", 1.0 / (1.0 + wInh * (units - 1)), double.Epsilon, 2.0 / (1.0 + wInh * (units - 1)));
        double tol = a.Positive("tol", 1e-6);
        int maxSteps = a.Int("max-steps", 100_000, 1);
        string? init = a.Str("init");
        var target = RunTarget.Of(a, Path.Combine("runs", $"krotov-biological-{dataset}-{DateTime.Now:yyyyMMdd-HHmmss}"), resumable: false);
        string finalDir = target.Final;
        foreach (var (name, given) in new[] { ("batch", "1"), ("variant", "paper"), ("engine", "reference") })
            if (a.Str(name) is { } v && v != given) throw new UsageException($"--{name} {v}: the comparison runs one sample at a time, the paper's variant, on the reference engine (--{name} {given})");
        a.Str("algorithm");
        a.RejectUnknown("train krotov");
        KrotovRecipe.RankWithin(rankK, "--k", units, "--units");

        var data = Datasets.Load(dataset, root, train: true);
        int n = Math.Min(limit, data.Count);
        var rng = new Random(seed);
        var w0 = init is null ? EngineChoice.Normal(units, data.Images.Cols, rng) : InitialWeights.Read(init, units, data.Images.Cols, $"--units {units} on {dataset}");
        var stage = target.Stage();
        string outDir = stage.Dir;
        string fastDir = Path.Combine(outDir, "fast");
        Directory.CreateDirectory(fastDir);
        var common = new JsonObject
        {
            ["rule"] = "krotov", ["dataset"] = dataset, ["data"] = root, ["engine"] = "reference", ["units"] = units, ["inputs"] = data.Images.Cols,
            ["p"] = p, ["k"] = rankK, ["delta"] = delta, ["radius"] = radius, ["variant"] = "Paper", ["batch"] = 1, ["lr"] = lr0, ["epochs"] = epochs,
            ["seed"] = seed, ["init"] = init, ["images"] = n, ["height"] = data.Height, ["width"] = data.Width, ["channels"] = data.Channels,
        };
        var bio = (JsonObject)common.DeepClone();
        bio["algorithm"] = "biological"; bio["w_inh"] = wInh; bio["h_star"] = hStar; bio["dt"] = dt; bio["tol"] = tol; bio["max_steps"] = maxSteps;
        var fast = (JsonObject)common.DeepClone();
        fast["algorithm"] = "fast"; fast["compared_with"] = finalDir;
        RunFolder.WriteText(Path.Combine(outDir, "options.json"), bio.ToJsonString(RunFolder.Json));
        RunFolder.WriteText(Path.Combine(fastDir, "options.json"), fast.ToJsonString(RunFolder.Json));
        AnsiConsole.MarkupLine($"[bold]hebb train krotov --algorithm biological[/] on {dataset} ({n:N0} images), {units} units, {epochs} epoch(s), the reference engine -> {Markup.Escape(finalDir)}");

        var wb = Hebb.Reference.Convert.toArray2D(w0);
        var wf = Hebb.Reference.Convert.toArray2D(w0);
        var images = Hebb.Reference.Convert.toRows(data.Images.SliceRows(0, n));
        var order = Enumerable.Range(0, n).ToArray();
        var metricsPath = Path.Combine(outDir, "metrics.jsonl");
        File.WriteAllText(metricsPath, "");
        var rows = new List<JsonObject>();
        var total = Stopwatch.StartNew();
        var variant = Krotov.Variant.Paper;
        Progress.Run("biological and fast", (double)epochs * n, task =>
        {
            for (int epoch = 0; epoch < epochs; epoch++)
            {
                rng.Shuffle(order);
                double lr = lr0 * (1.0 - (double)epoch / epochs);
                double active = 0, above = 0, steps = 0, unconverged = 0, firstAgrees = 0;
                foreach (int i in order)
                {
                    var v = images[i];
                    var (next, ss) = Krotov.biologicalStep(p, radius, wInh, hStar, delta, dt, tol, maxSteps, lr, wb, v);
                    var currents = Enumerable.Range(0, units).Select(mu => Krotov.current(p, Row(wb, mu), v)).ToArray();
                    if (Krotov.rank(currents)[0] == Krotov.rank(ss.H)[0]) firstAgrees++;
                    wb = next;
                    active += ss.H.Count(h => h > 0);
                    above += ss.H.Count(h => h >= hStar);
                    steps += ss.Steps;
                    if (!ss.Converged) unconverged++;
                    wf = Krotov.fastStep(variant, p, radius, rankK, delta, lr, wf, [v]);
                    task.Increment(1);
                }
                var bioNow = Hebb.Reference.Convert.ofArray2D(wb);
                Divergence.CheckFinite(bioNow, epoch + 1, lr0, outDir);
                var cos = Enumerable.Range(0, units).Select(mu => Cosine(Row(wb, mu), Row(wf, mu))).ToArray();
                var row = new JsonObject
                {
                    ["epoch"] = epoch + 1, ["lr"] = lr, ["seconds"] = total.Elapsed.TotalSeconds,
                    ["mean_cosine_biological_fast"] = cos.Average(), ["units_cosine_above_0_9"] = cos.Count(c => c > 0.9) / (double)units,
                    ["mean_active_units"] = active / n, ["mean_units_above_h_star"] = above / n, ["mean_euler_steps"] = steps / n,
                    ["unconverged_share"] = unconverged / n, ["first_unit_agrees"] = firstAgrees / n,
                    ["biological_on_sphere"] = Sphere.Deviation(bioNow, p, radius).OnSphere,
                    ["fast_on_sphere"] = Sphere.Deviation(Hebb.Reference.Convert.ofArray2D(wf), p, radius).OnSphere,
                    ["biological_moved"] = Moved(wb, w0), ["fast_moved"] = Moved(wf, w0),
                };
                rows.Add(row);
                File.AppendAllText(metricsPath, row.ToJsonString() + "\n");
                task.Description = $"epoch {epoch + 1}/{epochs}: mean cosine {cos.Average():F3}, {active / n:F1} units active, {above / n:F2} above h*";
            }
        });
        var bioW = Hebb.Reference.Convert.ofArray2D(wb);
        var fastW = Hebb.Reference.Convert.ofArray2D(wf);
        Npy.Write(Path.Combine(outDir, "weights.npy"), bioW);
        Npy.Write(Path.Combine(fastDir, "weights.npy"), fastW);
        Pictures.FilterGrid(Path.Combine(outDir, "filters.png"), bioW, data.Height, data.Width, data.Channels, Math.Min(100, units), 10);
        Pictures.FilterGrid(Path.Combine(fastDir, "filters.png"), fastW, data.Height, data.Width, data.Channels, Math.Min(100, units), 10);
        var epochAxis = rows.Select(r => (double)(int)r["epoch"]!).ToArray();
        double[] Col(string name, double scale = 100) => rows.Select(r => scale * (double)r[name]!).ToArray();
        Charts.Lines(Path.Combine(outDir, "comparison.png"), $"{finalDir}: the biological algorithm (eq. 4) beside the fast rule, same start and inputs",
            "epoch", "%", [new("mean cosine of a unit's two weight vectors", epochAxis, Col("mean_cosine_biological_fast")),
                           new("units whose two vectors have cosine > 0.9", epochAxis, Col("units_cosine_above_0_9")),
                           new("units on the sphere, biological", epochAxis, Col("biological_on_sphere")),
                           new("units on the sphere, fast", epochAxis, Col("fast_on_sphere"))]);
        var last = rows[^1];
        RunFolder.WriteText(Path.Combine(outDir, "report.md"), $"""
            # Section 3's claim: the fast rule beside the biological algorithm

            - {dataset}, the first {n:N0} training images, shuffled each epoch (seed {seed}); {units} units from the same W0 ({init ?? "N(0, 1)"});
              p = {p}, R = {radius}, Delta = {delta}; {epochs} epoch(s), one sample a step, learning rate {lr0} falling linearly to 0
            - biological (section 2.2): currents I = <W, v>; eq. 4 with w_inh = {wInh} integrated by Euler steps of dt/tau = {dt:g4}
              until max |dh/dt| <= {tol:g3}; g(h) = 1 for h >= h* = {hStar}, -Delta for 0 < h < h*, 0 below; eq. 2 for every unit
            - fast (section 3, the paper's variant at batch 1): g = 1 for the strongest current, -Delta for the {KrotovRecipe.Ordinal(rankK)}; eq. 2
            - time {total.Elapsed.TotalSeconds:F1} s, both on the reference engine

            | epoch | mean cosine (biological, fast) | units with cosine > 0.9 | units active at the steady state | units above h* | Euler steps | the first unit agrees | on the sphere: biological / fast | moved from W0 (cosine < 0.9): biological / fast |
            | --- | --- | --- | --- | --- | --- | --- | --- | --- |
            {string.Join("\n", rows.Select(r => $"| {r["epoch"]} | {(double)r["mean_cosine_biological_fast"]!:F4} | {(double)r["units_cosine_above_0_9"]!:P1} | {(double)r["mean_active_units"]!:F2} | {(double)r["mean_units_above_h_star"]!:F2} | {(double)r["mean_euler_steps"]!:F0} | {(double)r["first_unit_agrees"]!:P1} | {(double)r["biological_on_sphere"]!:P0} / {(double)r["fast_on_sphere"]!:P0} | {(double)r["biological_moved"]!:P0} / {(double)r["fast_moved"]!:P0} |"))}

            The fast rule pushes away one unit per input (the {KrotovRecipe.Ordinal(rankK)}); the biological algorithm every active unit below h*
            ({(double)last["mean_active_units"]! - (double)last["mean_units_above_h_star"]!:F2} on average in the last epoch), and lets every unit above h* learn.
            Next: `hebb eval {finalDir}` and `hebb eval {Path.Combine(finalDir, "fast")}` (the top layer on each), `filters.png` in both folders, `comparison.png`.
            """);
        stage.Commit();
        AnsiConsole.MarkupLine($"done in {total.Elapsed.TotalSeconds:F1} s: mean cosine of the two {(double)last["mean_cosine_biological_fast"]!:F3}; report.md in {Markup.Escape(finalDir)}");
        return 0;
    }

    static double[] Row(double[,] w, int mu) => Enumerable.Range(0, w.GetLength(1)).Select(i => w[mu, i]).ToArray();

    static double Cosine(double[] a, double[] b)
    {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
        return ab / Math.Sqrt(aa * bb);
    }

    static double Moved(double[,] w, Matrix w0) =>
        Enumerable.Range(0, w.GetLength(0)).Count(mu => Cosine(Row(w, mu), w0.Row(mu).ToArray().Select(x => (double)x).ToArray()) < 0.9) / (double)w.GetLength(0);
}

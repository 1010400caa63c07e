using System.Diagnostics;
using Hebb.Contracts;
using Hebb.Data;
using Hebb.Reference;
using Hebb.Runs;
using Spectre.Console;

namespace Hebb.Bench;

/// <summary><c>hebb bench krotov</c>: one unsupervised epoch of Krotov &amp; Hopfield's fast rule beside the GEMM-only bound and the reference, in one run.</summary>
public sealed class KrotovBench : IBench
{
    public string Rule => "krotov";

    public string Name => "krotov";

    public string Help => """
        hebb bench krotov [options]
          Times one unsupervised epoch of the fast rule (all of MNIST's 60,000 training images) on a backend,
          beside, in the same run: the currents GEMM alone (K x N by N x B, once per minibatch: the bound no
          implementation of the rule can beat) and the reference engine's time for a few steps.

          --backend auto|cpu|cpu-managed|opencl|cuda  (auto)     --batch B (100)     --units K (2000)
          --p P (3)  --k K (7)  --repeat R (3: best of R epochs and of R GEMM passes)
          --reference-steps S (2: reference steps timed, scaled to an epoch; 0 to skip)
          --data DIR  (MNIST; random pixels of the same size when it is absent, and the output says so)

        Side by side with a PyTorch peer (the same rule as PyTorch users write it: dense products, topk; same
        data and settings), on the same machine:
          hebb bench krotov --backend cuda --batch 100
          python3 bench/peers/krotov_torch.py --device cuda --batch 100
        """;

    public int Run(Args a)
    {
        string backend = EngineChoice.Backend(a);
        int batch = a.Int("batch", 100, 1), units = a.Int("units", 2000, 1), rankK = a.Int("k", 7, 2);
        int repeat = a.Int("repeat", 3, 1), refSteps = a.Int("reference-steps", 2, 0);
        double p = a.Double("p", 3, 1);
        string root = DataRoot.Resolve(a.Str("data"));
        a.Str("device");
        a.RejectUnknown("bench krotov");
        KrotovRecipe.RankWithin(rankK, "--k", units, "--units");
        var engine = EngineChoice.CreateAccelerated(a, backend);

        Matrix images;
        string source;
        try { images = Datasets.Load("mnist", root, train: true).Images; source = "MNIST train (60,000 images)"; }
        catch (DataException)
        {
            var rng0 = new Random(7);
            images = new Matrix(60000, 784);
            for (int i = 0; i < images.Data.Length; i++) images.Data[i] = (float)rng0.NextDouble();
            source = $"random pixels, 60,000 x 784 (MNIST not found under {root})";
        }
        int n = images.Rows, dim = images.Cols, steps = (n + batch - 1) / batch;
        var options = new KrotovOptions { Units = units, Inputs = dim, P = p, RankK = rankK, Delta = 0.4 };
        var rng = new Random(1);
        var w0 = EngineChoice.Normal(units, dim, rng);
        var order = Enumerable.Range(0, n).ToArray();
        rng.Shuffle(order);
        // Batches are gathered up front: the bench times the rule, not the copying of images.
        var batches = Enumerable.Range(0, steps).Select(s => images.Gather(order.AsSpan(s * batch, Math.Min(batch, n - s * batch)))).ToArray();

        AnsiConsole.MarkupLine($"[bold]hebb bench krotov[/]: {Markup.Escape(engine.Name)}; {units} units, p = {p}, k = {rankK}, batch {batch}; {Markup.Escape(source)}");
        AnsiConsole.MarkupLine($"{Environment.ProcessorCount} logical cores; best of {repeat}");

        // Warm up (JIT, BLAS threads), then alternate: epoch, GEMM-only, so both see the same machine state.
        using (var warm = engine.CreateKrotov(options, w0)) for (int s = 0; s < Math.Min(5, steps); s++) warm.Step(batches[s], 0.01);
        var gemmOnly = GemmBound.GemmOnly(engine, batches, units, dim, w0);
        double bestEpoch = double.MaxValue, bestGemm = double.MaxValue;
        for (int r = 0; r < repeat; r++)
        {
            using var layer = engine.CreateKrotov(options, w0);
            var sw = Stopwatch.StartNew();
            for (int s = 0; s < steps; s++) layer.Step(batches[s], 0.04);
            layer.ReadWeights(); // waits for a device backend to finish
            bestEpoch = Math.Min(bestEpoch, sw.Elapsed.TotalSeconds);
            bestGemm = Math.Min(bestGemm, GemmBound.Fastest(gemmOnly.Select(g => (Action)(() => g.Run(1)))));
        }
        double refEpoch = double.NaN;
        if (refSteps > 0)
        {
            using var reference = ((IEngine)new ReferenceEngine()).CreateKrotov(options, w0);
            var sw = Stopwatch.StartNew();
            for (int s = 0; s < refSteps; s++) reference.Step(batches[s], 0.04);
            refEpoch = sw.Elapsed.TotalSeconds / refSteps * steps;
        }
        double flops = 2.0 * units * dim * n;
        var table = new Table().AddColumns("what", "seconds / epoch", "samples/s", "x GEMM-only");
        table.AddRow("epoch, accelerated", $"{bestEpoch:F3}", $"{n / bestEpoch:N0}", $"{bestEpoch / bestGemm:F2}");
        table.AddRow($"currents GEMM only ({steps} x {units}x{dim} by {dim}x{batch}{GemmBound.BothOrientations(engine)}, {flops / bestGemm / 1e9:F0} GFLOP/s)", $"{bestGemm:F3}", $"{n / bestGemm:N0}", "1.00");
        if (refSteps > 0)
            table.AddRow($"reference (F#, float64; {refSteps} steps scaled to {steps})", $"{refEpoch:F1}", $"{n / refEpoch:N0}", $"{refEpoch / bestGemm:F0}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"epoch / GEMM-only = [bold]{bestEpoch / bestGemm:F2}[/] (target <= 1.3)" +
            (refSteps > 0 ? $"; accelerated / reference speed-up = {refEpoch / bestEpoch:F0}x" : ""));
        return 0;
    }
}

using Hebb.Accelerated.Rules.Krotov;
using System.Diagnostics;
using Hebb.Accelerated;
using Hebb.Accelerated.Backends.Cpu;
using Hebb.Contracts;
using Hebb.Data;
using Hebb.Reference;
using Hebb.Verification;
using Spectre.Console;

namespace Hebb.Cli;

/// <summary><c>hebb bench krotov</c>: one unsupervised epoch beside the GEMM-only bound and the reference, in one run.</summary>
static class BenchCommand
{
    public const string Help = """
        hebb bench nnl-conv [--window 4] [--filters 400] [--batch 100] [--limit N] [--threads T] [--backend X] [--data DIR]
          Times one learning epoch of NNL-CONV's filters over every 4x4x3 patch of CIFAR-10's training set (patch
          extraction and normalization, minibatch steps of eq. 1, as hebb train nnl-conv does it by default),
          beside the GEMM-only bound measured in the same run: the currents GEMM of every minibatch alone, timed in
          slices of 4,096 products between slices of as many steps where the steps run one by one (so that the
          machine's drift touches both alike), after the epoch where the layer's own threads learn.
          By default as hebb train nnl-conv learns: on the cpu backend with 4 or more cores, the steps and the making
          of patches split over the cores (at most 16); otherwise the steps one by one, the patches made on a second
          thread (PatchFeed). --threads T as in hebb train nnl-conv (cpu only): T threads split the steps and the
          making of patches; 1 takes the steps on one thread and the patches on a second. An untimed warm-up
          epoch over the first 1,000 images (JIT, threads, kernels) comes first, so that --limit runs time compiled code.
          Where the cpu layer takes the steps one by one, their time is split by phase as well: the currents GEMM,
          the ranking, the update's terms, the update of W's touched rows, and the rest (CpuKrotovLayer.Times).

        hebb bench mlp [--features F (12288)] [--samples S (50000)] [--batch B (512)] [--repeat R (2)] [--backend X]
          Times one epoch of the MLP probe (512-256-10, batch norm, ELU, dropout; Adam) on S random vectors of F
          features, beside the GEMM-only bound measured in the same run: the same eight matrix products
          (three forward, three weight gradients, two input gradients) on the same backend.

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

    public static int Run(Args a)
    {
        if (a.Positional.Count >= 2 && a.Positional[1] == "mlp") return RunMlp(a);
        if (a.Positional.Count >= 2 && a.Positional[1] == "nnl-conv") return RunConv(a);
        if (a.Positional.Count < 2 || a.Positional[1] != "krotov")
            throw new UsageException("bench: the rule is missing or unknown; available: krotov, nnl-conv, mlp (hebb bench --help)");
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
        var gemmOnly = GemmOnly(engine, batches, units, dim, w0);
        double bestEpoch = double.MaxValue, bestGemm = double.MaxValue;
        for (int r = 0; r < repeat; r++)
        {
            using var layer = engine.CreateKrotov(options, w0);
            var sw = Stopwatch.StartNew();
            for (int s = 0; s < steps; s++) layer.Step(batches[s], 0.04);
            layer.ReadWeights(); // waits for a device backend to finish
            bestEpoch = Math.Min(bestEpoch, sw.Elapsed.TotalSeconds);
            bestGemm = Math.Min(bestGemm, Fastest(gemmOnly.Select(g => (Action)(() => g.Run(1)))));
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
        table.AddRow($"currents GEMM only ({steps} x {units}x{dim} by {dim}x{batch}{BothOrientations(engine)}, {flops / bestGemm / 1e9:F0} GFLOP/s)", $"{bestGemm:F3}", $"{n / bestGemm:N0}", "1.00");
        if (refSteps > 0)
            table.AddRow($"reference (F#, float64; {refSteps} steps scaled to {steps})", $"{refEpoch:F1}", $"{n / refEpoch:N0}", $"{refEpoch / bestGemm:F0}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"epoch / GEMM-only = [bold]{bestEpoch / bestGemm:F2}[/] (target <= 1.3)" +
            (refSteps > 0 ? $"; accelerated / reference speed-up = {refEpoch / bestEpoch:F0}x" : ""));
        return 0;
    }

    /// <summary>The cpu engine's GEMM as the bound may run it: OpenBLAS with our one-thread rule for small products
    /// and with its own threading (the bound takes the faster); the managed GEMM as it is.</summary>
    static IGemm[] BoundGemms(CpuEngine cpu) => cpu.Gemm is OpenBlasGemm ob ? [ob, ob.WithOwnThreading()] : [cpu.Gemm];

    /// <summary>How the bound's label says that <see cref="GemmOnly"/> timed the product both ways (cpu only).</summary>
    static string BothOrientations(IEngine engine) => engine is CpuEngine ? " or its transpose, the faster" : "";

    /// <summary>The seconds of the fastest of <paramref name="runs"/>, each timed once.</summary>
    static double Fastest(IEnumerable<Action> runs)
    {
        double best = double.MaxValue;
        foreach (var run in runs)
        {
            var sw = Stopwatch.StartNew();
            run();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return best;
    }

    /// <summary>The currents GEMM of every minibatch (V x Wp^T, Wp = sign(W)|W|^(p-1) for p = 3) on the engine's own
    /// GEMM: host arrays for cpu; device buffers already in place for a GPU backend (uploads are not counted). One
    /// way per GEMM configuration worth trying (cpu: both orientations of the product, each with OpenBLAS's one-thread
    /// rule for small products and with its own threading); the bound is the fastest. Each action takes a number of
    /// passes over <paramref name="batches"/> and returns when they are done (a GPU backend waits once, after the
    /// last product, as an epoch's steps queue their products without waiting between them); its name says which
    /// way it multiplies.</summary>
    static (string Name, Action<long> Run)[] GemmOnly(IEngine engine, Matrix[] batches, int units, int dim, Matrix w0)
    {
        var wp = new float[units * dim];
        for (int i = 0; i < wp.Length; i++) wp[i] = w0.Data[i] * MathF.Abs(w0.Data[i]);
        int maxB = batches.Max(b => b.Rows);
        switch (engine)
        {
            case CpuEngine cpu:
                // Both orientations: a row of currents per sample (V Wp^T), and a column per sample (Wp V^T, rows of
                // ld samples), as the layer computes them where it ranks by columns (TopK.Columns).
                int ld = TopK.ColumnsLd(maxB);
                var cur = new float[ld * units];   // ld >= maxB: room for either orientation
                return [.. BoundGemms(cpu).SelectMany(g =>
                {
                    string threads = ReferenceEquals(g, cpu.Gemm) ? "" : ", OpenBLAS's own threads";
                    return new (string, Action<long>)[]
                    {
                        ($"a row per sample{threads}", passes => { for (long p = 0; p < passes; p++) foreach (var v in batches) g.Sgemm(false, true, v.Rows, units, dim, 1f, v.Data, dim, wp, dim, 0f, cur, units); }),
                        ($"a column per sample{threads}", passes => { for (long p = 0; p < passes; p++) foreach (var v in batches) g.Sgemm(false, true, units, v.Rows, dim, 1f, wp, dim, v.Data, dim, 0f, cur, ld); }),
                    };
                })];
            case Hebb.Accelerated.Backends.Device.DeviceEngine dev:
                var d = dev.Device;
                var vBuf = d.Alloc(maxB * dim);
                var wBuf = d.Alloc(units * dim);
                var cBuf = d.Alloc(maxB * units);
                d.Write(vBuf, batches[0].Data);
                d.Write(wBuf, wp);
                return [("the device's GEMM", passes =>
                {
                    for (long p = 0; p < passes; p++)
                        foreach (var v in batches) d.Gemm(false, true, v.Rows, units, dim, 1f, vBuf, dim, wBuf, dim, 0f, cBuf, units);
                    d.Finish();
                })];
            default:
                throw new UsageException($"bench: no GEMM-only bound for {engine.Name}");
        }
    }

    /// <summary>The eight GEMMs of an MLP epoch (three forward, three weight gradients, two input gradients) with the
    /// shapes of each minibatch, on the engine's own GEMM; for a GPU backend on device buffers (uploads not counted).</summary>
    static Action[] MlpGemms(IEngine engine, Matrix[] xs, int batch, int[] widths)
    {
        var wLen = widths.Zip(widths.Skip(1), (i, o) => i * o).ToArray();
        switch (engine)
        {
            case CpuEngine cpu:
            {
                var w = wLen.Select(n => new float[n]).ToArray();
                var act = widths.Select(wd => new float[batch * wd]).ToArray();
                var grad = widths.Select(wd => new float[batch * wd]).ToArray();
                var dw = wLen.Select(n => new float[n]).ToArray();
                return [.. BoundGemms(cpu).Select(g => (Action)(() =>
                {
                    foreach (var x in xs)
                    {
                        int b = x.Rows;
                        for (int l = 0; l < 3; l++) g.Sgemm(false, true, b, widths[l + 1], widths[l], 1f, l == 0 ? x.Data : act[l], widths[l], w[l], widths[l], 0f, act[l + 1], widths[l + 1]);
                        for (int l = 2; l >= 0; l--)
                        {
                            g.Sgemm(true, false, widths[l + 1], widths[l], b, 1f, grad[l + 1], widths[l + 1], l == 0 ? x.Data : act[l], widths[l], 0f, dw[l], widths[l]);
                            if (l > 0) g.Sgemm(false, false, b, widths[l], widths[l + 1], 1f, grad[l + 1], widths[l + 1], w[l], widths[l], 0f, grad[l], widths[l]);
                        }
                    }
                }))];
            }
            case Hebb.Accelerated.Backends.Device.DeviceEngine dev:
            {
                var d = dev.Device;
                var w = wLen.Select(n => d.Alloc(n)).ToArray();
                var act = widths.Select(wd => d.Alloc(batch * wd)).ToArray();
                var grad = widths.Select(wd => d.Alloc(batch * wd)).ToArray();
                var dw = wLen.Select(n => d.Alloc(n)).ToArray();
                return [() =>
                {
                    foreach (var x in xs)
                    {
                        int b = x.Rows;
                        for (int l = 0; l < 3; l++) d.Gemm(false, true, b, widths[l + 1], widths[l], 1f, act[l], widths[l], w[l], widths[l], 0f, act[l + 1], widths[l + 1]);
                        for (int l = 2; l >= 0; l--)
                        {
                            d.Gemm(true, false, widths[l + 1], widths[l], b, 1f, grad[l + 1], widths[l + 1], act[l], widths[l], 0f, dw[l], widths[l]);
                            if (l > 0) d.Gemm(false, false, b, widths[l], widths[l + 1], 1f, grad[l + 1], widths[l + 1], w[l], widths[l], 0f, grad[l], widths[l]);
                        }
                    }
                    d.Finish();
                }];
            }
            default:
                throw new UsageException($"bench: no GEMM-only bound for {engine.Name}");
        }
    }

    static int RunMlp(Args a)
    {
        string backend = EngineChoice.Backend(a);
        int features = a.Int("features", 12288, 1), samples = a.Int("samples", 50000, 1), batch = a.Int("batch", 512, 2), repeat = a.Int("repeat", 2, 1);
        a.Str("device");
        a.RejectUnknown("bench mlp");
        var engine = EngineChoice.CreateAccelerated(a, backend);
        var options = ProbeOptions.Mlp(features);
        var rng = new Random(1);
        int steps = (samples + batch - 1) / batch;
        AnsiConsole.MarkupLine($"[bold]hebb bench mlp[/]: {Markup.Escape(engine.Name)}; {samples:N0} x {features:N0} random features, MLP 512-256-10, batch {batch}, {steps} steps an epoch");
        // Inputs, labels and dropout masks are made up front: the bench times the probe, not the copying.
        var xs = new Matrix[steps];
        var ys = new int[steps][];
        var masks = new Matrix[steps][];
        for (int s = 0; s < steps; s++)
        {
            int b = Math.Min(batch, samples - s * batch);
            xs[s] = new Matrix(b, features);
            for (int i = 0; i < xs[s].Data.Length; i++) xs[s].Data[i] = (float)rng.NextDouble();
            ys[s] = [.. Enumerable.Range(0, b).Select(_ => rng.Next(10))];
            masks[s] = Hebb.Evaluation.ProbeInit.Masks(options, b, rng);
        }
        var init = Hebb.Evaluation.ProbeInit.Initial(options, rng);
        var gemmStep = MlpGemms(engine, xs, batch, [features, 512, 256, 10]);
        using (var warm = engine.CreateClassifier(options, init)) warm.Step(xs[0], ys[0], masks[0], 1e-3);
        double bestEpoch = double.MaxValue, bestGemm = double.MaxValue;
        for (int r = 0; r < repeat; r++)
        {
            using var probe = engine.CreateClassifier(options, init);
            var sw = Stopwatch.StartNew();
            for (int s = 0; s < steps; s++) probe.Step(xs[s], ys[s], masks[s], 1e-3);
            bestEpoch = Math.Min(bestEpoch, sw.Elapsed.TotalSeconds);
            bestGemm = Math.Min(bestGemm, Fastest(gemmStep));
        }
        int[] widths = [features, 512, 256, 10];
        double flops = 0;
        for (int l = 0; l < 3; l++) flops += 2.0 * samples * widths[l] * widths[l + 1] * (l == 0 ? 2 : 3);
        var table = new Table().AddColumns("what", "seconds / epoch", "samples/s", "x GEMM-only");
        table.AddRow("MLP probe epoch, accelerated", $"{bestEpoch:F3}", $"{samples / bestEpoch:N0}", $"{bestEpoch / bestGemm:F2}");
        table.AddRow($"the 8 GEMMs only ({flops / 1e12:F2} TFLOP, {flops / bestGemm / 1e9:F0} GFLOP/s)", $"{bestGemm:F3}", $"{samples / bestGemm:N0}", "1.00");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"MLP epoch / GEMM-only = [bold]{bestEpoch / bestGemm:F2}[/] (target <= 1.5)");
        return 0;
    }

    /// <summary>Images of the untimed warm-up epoch before bench nnl-conv's timed one.</summary>
    const int WarmImages = 1000;

    static int RunConv(Args a)
    {
        string backend = EngineChoice.Backend(a);
        int window = a.Int("window", 4, 1), filters = a.Int("filters", 400, 1), batch = a.Int("batch", 100, 1), limit = a.Int("limit", int.MaxValue, 1);
        int? threads = NnlConvRecipe.ThreadsOption(a);
        string root = DataRoot.Resolve(a.Str("data"));
        a.Str("device");
        a.RejectUnknown("bench nnl-conv");
        var conv = new NnlConvOptions { Height = 32, Width = 32, Channels = 3, Window = window, Filters = filters, Power = 1, PoolWindow = 1, PoolStride = 1 };
        try { conv.Validate(); }
        catch (ArgumentOutOfRangeException ex) { throw Args.OptionError(ex, new Dictionary<string, string> { ["Window"] = "--window", ["Filters"] = "--filters" }); }
        var engine = EngineChoice.CreateAccelerated(a, backend);
        NnlConvRecipe.CheckThreads(threads, engine);
        var data = Datasets.Load("cifar10", root, train: true);
        int n = Math.Min(limit, data.Count);
        var rule = new KrotovOptions { Units = filters, Inputs = conv.PatchSize, P = 2, RankK = NnlConvRecipe.DefaultM, Delta = NnlConvRecipe.DefaultDelta, Variant = KrotovVariant.Paper };
        var rng = new Random(1);
        var w0 = EngineChoice.Normal(filters, conv.PatchSize, rng);
        long patches = (long)n * conv.Positions;
        int chunk = NnlConvRecipe.DefaultChunk;
        long steps = NnlConvRecipe.StepsPerEpoch(n, conv.Positions, chunk, batch);
        AnsiConsole.MarkupLine($"[bold]hebb bench nnl-conv[/]: {Markup.Escape(engine.Name)}; {patches:N0} patches of {window}x{window}x3 ({n:N0} images), {filters} filters, minibatch {batch}, {steps:N0} steps");
        var order = Enumerable.Range(0, n).ToArray();
        // Warm up (JIT, BLAS threads, the device's kernels) on a throwaway layer: an epoch over the first WarmImages
        // images, not timed, so that a short --limit run times compiled code as the whole epoch does.
        int warmImages = Math.Min(n, WarmImages);
        using (var warm = engine.CreateKrotov(rule, w0))
        {
            NnlConvRecipe.SetThreads(warm, threads);
            NnlConvRecipe.Epoch(warm, conv, data.Images, order[..warmImages], chunk, batch, NnlConvRecipe.DefaultLrPaper, new Random(2), center: false, unitPatches: true);
            warm.ReadWeights();
        }
        using var layer = engine.CreateKrotov(rule, w0);
        NnlConvRecipe.SetThreads(layer, threads);
        // Where the cpu layer takes its steps one by one, time them by phase too (five clock reads a step).
        var phases = layer is CpuKrotovLayer cpuLayer ? (cpuLayer.Times = new CpuKrotovLayer.StepTimes()) : null;
        // The bound: the currents GEMM of every minibatch (batch x patch size by patch size x K), nothing else. Where
        // the steps run one by one on this thread, it is timed in slices between them (BoundSlices), so that the
        // machine's drift (these are shared virtual machines) falls on both alike; where the layer's own threads
        // learn, after the epoch (paused between steps, they would spin beside the bound's products).
        var bound = new BoundSlices(GemmOnly(engine, [Seeded.Uniform(batch, conv.PatchSize, 3)], filters, conv.PatchSize, w0));
        bool sliced = layer is not IMinibatchLearner { Threads: > 1 };
        var clock = new Stopwatch();
        long pending = 0;
        Action? between = !sliced ? null : () =>
        {
            if (++pending < BoundSlices.Steps) return;
            layer.ReadWeights();   // a GPU backend's queued steps finish on the epoch's clock
            clock.Stop();
            bound.Run(pending);
            pending = 0;
            clock.Start();
        };
        clock.Start();
        var feed = NnlConvRecipe.Epoch(layer, conv, data.Images, order, chunk, batch, NnlConvRecipe.DefaultLrPaper, rng, center: false, unitPatches: true, between);
        layer.ReadWeights();
        clock.Stop();
        bound.Run(sliced ? pending : steps);
        if (bound.Products != steps)
            throw new InvalidOperationException($"bench nnl-conv: the bound ran {bound.Products:N0} products for an epoch of {steps:N0} steps");
        double epoch = clock.Elapsed.TotalSeconds, boundSeconds = bound.Seconds;
        var table = new Table().AddColumns("what", "seconds / epoch", "patches/s", "x GEMM-only");
        // No feed timing: the layer learned from the source itself, on its threads (at most one per filter).
        string how = feed is not null ? "accelerated, steps one by one, patches made on a second thread"
            : $"accelerated, steps and patch making split over {Math.Min(((IMinibatchLearner)layer).Threads, filters)} threads";
        table.AddRow($"learning epoch, {how}", $"{epoch:F2}", $"{patches / epoch:N0}", $"{epoch / boundSeconds:F2}");
        if (feed is { } f)
        {
            table.AddRow("  of which waiting for patches (making them not hidden behind the steps)", $"{f.Waited:F2}", "", "");
            table.AddRow("  of which the rule's steps", $"{epoch - f.Waited:F2}", "", $"{(epoch - f.Waited) / boundSeconds:F2}");
            if (phases is { Steps: > 0 } ph)
            {
                table.AddRow("    currents GEMM", $"{ph.Currents:F2}", "", $"{ph.Currents / boundSeconds:F2}");
                table.AddRow($"    ranking (each patch's {rule.RankK} best filters)", $"{ph.Rank:F2}", "", $"{ph.Rank / boundSeconds:F2}");
                table.AddRow($"    the update's terms (winner, rank {rule.RankK})", $"{ph.Decide:F2}", "", $"{ph.Decide / boundSeconds:F2}");
                table.AddRow("    the update of the touched rows", $"{ph.Update:F2}", "", $"{ph.Update / boundSeconds:F2}");
                double rest = epoch - f.Waited - ph.Currents - ph.Rank - ph.Decide - ph.Update;
                table.AddRow("    the rest (each minibatch's checks, the handoff from the second thread)", $"{rest:F2}", "", $"{rest / boundSeconds:F2}");
            }
            table.AddRow("making the patches (extract, normalize, shuffle) on a second thread", $"{f.Making:F2}", $"{patches / f.Making:N0}", "");
        }
        table.AddRow($"currents GEMM only ({steps:N0} x {batch}x{conv.PatchSize} by {conv.PatchSize}x{filters}, {2.0 * patches * conv.PatchSize * filters / boundSeconds / 1e9:F0} GFLOP/s; the fastest of {bound.Ways} ways: {bound.Fastest})", $"{boundSeconds:F2}", $"{patches / boundSeconds:N0}", "1.00");
        AnsiConsole.Write(table);
        string when = bound.Slices > 1 ? $"in {bound.Slices:N0} slices of at most {BoundSlices.Steps:N0} products, each right after as many of the epoch's steps" : "after the epoch";
        AnsiConsole.MarkupLine($"learning epoch / GEMM-only = [bold]{epoch / boundSeconds:F2}[/] (target <= 1.5); the bound timed {when}; both after an untimed warm-up epoch over {warmImages:N0} images");
        return 0;
    }

    /// <summary>
    /// The GEMM-only bound timed in slices: each <see cref="Run"/> times every configuration of <see cref="GemmOnly"/>
    /// (given one minibatch, so that a pass is one product) for the given number of products, one after the other, and
    /// adds each one's seconds to its own sum; the bound is the fastest configuration's sum. Run between slices of an
    /// epoch's steps, it measures the same products as one pass after the epoch would, under the same drift of the
    /// machine as the epoch beside it.
    /// </summary>
    sealed class BoundSlices((string Name, Action<long> Run)[] configurations)
    {
        /// <summary>The epoch's steps between two slices of the bound.</summary>
        public const int Steps = 4096;

        readonly double[] _seconds = new double[configurations.Length];

        public void Run(long products)
        {
            if (products == 0) return;
            Products += products;
            Slices++;
            for (int c = 0; c < configurations.Length; c++)
            {
                long t0 = Stopwatch.GetTimestamp();
                configurations[c].Run(products);
                _seconds[c] += Stopwatch.GetElapsedTime(t0).TotalSeconds;
            }
        }

        /// <summary>The products each configuration has run, over every slice.</summary>
        public long Products { get; private set; }

        /// <summary>The slices run.</summary>
        public int Slices { get; private set; }

        /// <summary>The fastest configuration's seconds over every slice.</summary>
        public double Seconds => _seconds.Min();

        /// <summary>The configurations timed.</summary>
        public int Ways => configurations.Length;

        /// <summary>The fastest configuration's name.</summary>
        public string Fastest => configurations[Array.IndexOf(_seconds, Seconds)].Name;
    }
}

using System.Diagnostics;
using Hebb.Accelerated.Backends.Cpu;
using Hebb.Accelerated.Backends.Device;
using Hebb.Accelerated.Rules.Csnn;
using Hebb.Contracts;
using Hebb.Data;
using Hebb.Reference;
using Hebb.Runs;
using Spectre.Console;

namespace Hebb.Bench;

/// <summary><c>hebb bench csnn</c>: steps of one CSNN sconv layer on CIFAR-10 images beside their GEMM-only bound and
/// the reference, in one run.</summary>
public sealed class CsnnBench : IBench
{
    public string Rule => "csnn";

    public string Name => "csnn";

    public string Help => """
        hebb bench csnn [--grid 12x12x3] [--batch 1] [--steps 500] [--repeat 3] [--reference-steps 2] [--backend X] [--data DIR]
          Times steps of one masked multi-head sconv layer of CSNN (D-CSNN's first layer by default: 3x3x3 patches of
          CIFAR-10, stride 1, padding 1, input masks, eq. 12) on a backend, beside, in the same run: the GEMM-only bound,
          the products a step cannot avoid (the scores of every patch for every map, P (m o w)^T, on cpu one product for
          all maps as its layer makes them, and each map's eq. 6 H_a^T A over the patches summed by their BMU, H_a the
          rows of H of the step's BMUs: as many as the cpu layer found on average in the run, the whole grid for a GPU
          layer; same GEMM), and the reference engine's time for a few steps.
          Best of R. Images from
          CIFAR-10's training set (random pixels of its size when it is absent, and the output says so).

        hebb bench csnn --model d-csnn|s-csnn [--steps 2000] [--encode 60000] [--backend X] [--data DIR]
          A whole model: its layer-wise training at batch 1 (the authors': 2,000 steps a layer; after each layer, its
          batch norm statistics from 1,000 training images, not timed, as hebb train csnn does) and the encoding of
          --encode images through every block (the probes' work: CIFAR-10's 60,000), each beside its GEMM-only bound
          measured in the same run: for training, each step's scores (on cpu one product for all maps) and H_a^T A per
          map plus the score GEMMs that carry the step's image through the blocks before the layer, timed in slices
          right after each 50 steps (so that the machine's drift falls on both alike); for encoding, every layer's
          score GEMMs at the same chunk shapes.
        """;

    public int Run(Args a)
    {
        if (a.Str("model") is { } model) return RunModel(a, model);
        string backend = EngineChoice.Backend(a);
        string grid = a.Str("grid") ?? "12x12x3";
        int batch = a.Int("batch", 1, 1), steps = a.Int("steps", 500, 1), repeat = a.Int("repeat", 3, 1), refSteps = a.Int("reference-steps", 2, 0);
        string root = DataRoot.Resolve(a.Str("data"));
        a.Str("device");
        a.RejectUnknown("bench csnn");
        var (gridRows, gridCols, maps) = CsnnRecipe.ParseGrid(grid);
        var engine = EngineChoice.CreateAccelerated(a, backend);
        var o = new CsnnOptions { GridRows = gridRows, GridCols = gridCols, Maps = maps };

        Matrix images;
        string source;
        int count = steps * batch;
        try
        {
            var data = Datasets.Load("cifar10", root, train: true);
            int n = Math.Min(data.Count, count);
            images = InputNorm.Fit(data.Images, n, 3, perChannel: false).Apply(data.Images.SliceRows(0, n));
            source = "CIFAR-10 train";
        }
        catch (DataException)
        {
            var r0 = new Random(7);
            images = new Matrix(count, 3072);
            for (int i = 0; i < images.Data.Length; i++) images.Data[i] = (float)(r0.NextDouble() * 2 - 1);
            source = $"random pixels (CIFAR-10 not found under {root})";
        }
        var rng = new Random(1);
        var w0 = Enumerable.Range(0, o.Maps).Select(_ => Randomize.Uniform(o.Neurons, o.PatchSize, rng)).ToArray();
        var m0 = Enumerable.Range(0, o.Maps).Select(_ => Randomize.Uniform(o.Neurons, o.MaskSize, rng)).ToArray();
        var batches = Enumerable.Range(0, steps).Select(s => images.SliceRows((s * batch) % (images.Rows - batch + 1), batch)).ToArray();
        var values = new CsnnStep(0.1, 0.005);
        int rows = batch * o.Positions;
        AnsiConsole.MarkupLine($"[bold]hebb bench csnn[/]: {Markup.Escape(engine.Name)}; {o.Maps} map(s) of {o.GridRows}x{o.GridCols}, {o.Kernel}x{o.Kernel}x3 patches, batch {batch} ({rows:N0} patches a step), {steps:N0} steps; {Markup.Escape(source)}");

        var bound = Bound(engine, o, rows);
        int active = 0;
        using (var warm = engine.CreateCsnn(o, w0, m0)) for (int s = 0; s < Math.Min(20, steps); s++) warm.Step(batches[s], values);
        double best = double.MaxValue, bestBound = double.MaxValue;
        for (int r = 0; r < repeat; r++)
        {
            using var layer = engine.CreateCsnn(o, w0, m0);
            var sw = Stopwatch.StartNew();
            foreach (var b in batches) layer.Step(b, values);
            layer.ReadWeights(0);   // waits for a device backend to finish
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
            active = ActiveRows(layer, 0, steps);
            var bw = Stopwatch.StartNew();
            bound(steps, active);
            bestBound = Math.Min(bestBound, bw.Elapsed.TotalSeconds);
        }
        double refTime = double.NaN;
        if (refSteps > 0)
        {
            using var reference = ((IEngine)new ReferenceEngine()).CreateCsnn(o, w0, m0);
            var sw = Stopwatch.StartNew();
            for (int s = 0; s < refSteps; s++) reference.Step(batches[s], values);
            refTime = sw.Elapsed.TotalSeconds / refSteps * steps;
        }
        double flops = 2.0 * (rows + active) * o.PatchSize * o.Neurons * o.Maps * steps;
        var table = new Table().AddColumns("what", "seconds", "images/s", "x GEMM-only");
        table.AddRow($"{steps:N0} steps, accelerated", $"{best:F3}", $"{steps * batch / best:N0}", $"{best / bestBound:F2}");
        string scores = engine is CpuEngine ? $"{rows}x{o.PatchSize}x{o.OutChannels} a step" : $"{o.Maps} a step of {rows}x{o.PatchSize}x{o.Neurons}";
        table.AddRow($"the GEMMs only ({scores}; {o.Maps} a step of {o.Neurons}x{active}x{o.PatchSize}, {flops / bestBound / 1e9:F0} GFLOP/s)", $"{bestBound:F3}", $"{steps * batch / bestBound:N0}", "1.00");
        if (refSteps > 0) table.AddRow($"reference (F#, float64; {refSteps} steps scaled to {steps:N0})", $"{refTime:F1}", $"{steps * batch / refTime:N0}", $"{refTime / bestBound:F0}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"steps / GEMM-only = [bold]{best / bestBound:F2}[/]" + (refSteps > 0 ? $"; accelerated / reference speed-up = {refTime / best:F0}x" : ""));
        return 0;
    }

    /// <summary>The products a step cannot avoid (every patch's scores for every map; eq. 6's H_a^T A per map over the
    /// patches summed by their BMU, H_a the rows of H of a number of active BMUs), on the engine's own GEMM (host arrays
    /// on cpu, where the scores of all maps are one product, rows x OutChannels, as the cpu layer makes them: faster
    /// than one a map; device buffers in place on a GPU backend, one product a map as its layer makes them, waiting
    /// once at the end); the action runs them for the given number of steps with the given number of active BMUs
    /// (1..Neurons).</summary>
    static Action<int, int> Bound(IEngine engine, CsnnOptions o, int rows, bool scoresOnly = false)
    {
        int n = o.PatchSize, k = o.Neurons, maps = o.Maps;
        switch (engine)
        {
            case CpuEngine cpu:
            {
                var g = cpu.Gemm;
                var p = new float[rows * n]; var e = new float[maps * k * n]; var s = new float[rows * maps * k]; var hh = new float[k * k]; var w = new float[k * n];
                return (steps, active) =>
                {
                    for (int t = 0; t < steps; t++)
                    {
                        g.Sgemm(false, true, rows, maps * k, n, 1f, p, n, e, n, 0f, s, maps * k);
                        if (!scoresOnly)
                            for (int h = 0; h < maps; h++) g.Sgemm(true, false, k, n, active, 1f, hh, k, e, n, 1f, w, n);
                    }
                };
            }
            case DeviceEngine dev:
            {
                var d = dev.Device;
                var p = d.Alloc(rows * n); var e = d.Alloc(k * n); var s = d.Alloc(rows * k); var hh = d.Alloc(k * k); var w = d.Alloc(k * n);
                return (steps, active) =>
                {
                    for (int t = 0; t < steps; t++)
                        for (int h = 0; h < maps; h++)
                        {
                            d.Gemm(false, true, rows, k, n, 1f, p, n, e, n, 0f, s, k);
                            if (!scoresOnly) d.Gemm(true, false, k, n, active, 1f, hh, k, e, n, 1f, w, n);
                        }
                    d.Finish();
                };
            }
            default:
                throw new UsageException($"bench csnn: no GEMM-only bound for {engine.Name}");
        }
    }

    /// <summary>The BMUs eq. 6's product takes per map and step over <paramref name="steps"/> steps, the layer's
    /// UpdatedRows having been <paramref name="before"/> before them: the cpu layer's active ones (their mean, rounded
    /// up, at least 1); the whole grid for a layer that multiplies by all of H.</summary>
    static int ActiveRows(ICsnnLayer layer, long before, int steps) => layer is CpuCsnnLayer cpu
        ? Math.Max(1, (int)Math.Ceiling((double)(cpu.UpdatedRows - before) / ((long)steps * layer.Options.Maps)))
        : layer.Options.Neurons;

    /// <summary>The model bench's steps between two slices of its bound.</summary>
    const int Slice = 50;

    /// <summary><c>hebb bench csnn --model</c>: a model's layer-wise training and its encoding, each beside its
    /// GEMM-only bound, in one run.</summary>
    static int RunModel(Args a, string modelName)
    {
        string backend = EngineChoice.Backend(a);
        if (!CsnnModels.Names.Contains(modelName)) throw new UsageException($"--model {modelName}: allowed values are {string.Join(", ", CsnnModels.Names)}");
        int steps = a.Int("steps", 2000, 1), encode = a.Int("encode", 60000, 1);
        string root = DataRoot.Resolve(a.Str("data"));
        a.Str("device");
        a.RejectUnknown("bench csnn");
        var engine = EngineChoice.CreateAccelerated(a, backend);
        Matrix images;
        string source;
        try
        {
            var train = Datasets.Load("cifar10", root, train: true);
            var test = Datasets.Load("cifar10", root, train: false);
            var all = new Matrix(train.Count + test.Count, train.Images.Cols);
            train.Images.Data.CopyTo(all.Data, 0);
            test.Images.Data.CopyTo(all.Data, train.Images.Data.Length);
            images = InputNorm.Fit(train.Images, train.Count, 3, perChannel: false).Apply(all.SliceRows(0, Math.Min(encode + steps, all.Rows)));
            source = "CIFAR-10 (training, then test images)";
        }
        catch (DataException)
        {
            images = Randomize.Uniform(Math.Min(encode + steps, 60000), 3072, new Random(7));
            source = $"random pixels (CIFAR-10 not found under {root})";
        }
        var rng = new Random(1);
        var options = new List<CsnnOptions>();
        var (height, width, channels) = (32, 32, 3);
        foreach (var spec in CsnnModels.Named(modelName))
        {
            var o = spec.Options(height, width, channels, 3, 2, new CsnnOptions()).Validate();
            options.Add(o);
            (height, width, channels) = (o.PooledHeight, o.PooledWidth, o.OutChannels);
        }
        var layers = options.Select(o => engine.CreateCsnn(o,
            [.. Enumerable.Range(0, o.Maps).Select(_ => Randomize.Uniform(o.Neurons, o.PatchSize, rng))],
            [.. Enumerable.Range(0, o.Maps).Select(_ => Randomize.Uniform(o.Neurons, o.MaskSize, rng))])).ToList();
        using var model = new CsnnModel(layers);
        AnsiConsole.MarkupLine($"[bold]hebb bench csnn --model {modelName}[/]: {Markup.Escape(engine.Name)}; {options.Count} layers x {steps:N0} steps at batch 1, then {Math.Min(encode, images.Rows):N0} images encoded; {Markup.Escape(source)}");

        var table = new Table().AddColumns("what", "seconds", "GEMM-only bound (s)", "x bound");
        var values = new CsnnStep(0.1, 0.005);
        double trainTotal = 0, trainBound = 0;
        for (int l = 0; l < layers.Count; l++)
        {
            // The bound is timed in slices, each right after as many of the layer's steps, so that the machine's drift
            // falls on both alike; each slice's product for eq. 6 at the active BMUs of the steps before it.
            var carry = Enumerable.Range(0, l).Select(j => Bound(engine, options[j], options[j].Positions, scoresOnly: true)).ToList();
            var own = Bound(engine, options[l], options[l].Positions);
            double t = 0, b = 0;
            var counted = layers[l] as CpuCsnnLayer;
            long start = counted?.UpdatedRows ?? 0;
            for (int from = 0; from < steps; from += Slice)
            {
                int part = Math.Min(Slice, steps - from);
                long before = counted?.UpdatedRows ?? 0;
                long t0 = Stopwatch.GetTimestamp();
                for (int s = from; s < from + part; s++) layers[l].Step(model.Encode(images.SliceRows(s % images.Rows, 1), l), values);
                layers[l].ReadWeights(0);
                t += Stopwatch.GetElapsedTime(t0).TotalSeconds;
                int active = ActiveRows(layers[l], before, part);
                long b0 = Stopwatch.GetTimestamp();
                foreach (var c in carry) c(part, 1);
                own(part, active);
                b += Stopwatch.GetElapsedTime(b0).TotalSeconds;
            }
            string winners = counted is null ? "" : $", {(double)(counted.UpdatedRows - start) / ((long)steps * options[l].Maps):F1} active BMUs a map";
            table.AddRow($"training layer {l + 1} ({options[l].GridRows}x{options[l].GridCols}x{options[l].Maps}, {options[l].PatchSize}-long patches{winners}), {steps:N0} steps", $"{t:F2}", $"{b:F2}", $"{t / b:F2}");
            trainTotal += t; trainBound += b;
            // As `hebb train csnn` does (the paper's batch norm): the layer's statistics on 1,000 training images, not
            // timed; the next layer learns on blocks normalized by them.
            model.Norms[l] = model.Estimate(l, images.SliceRows(0, Math.Min(1000, images.Rows)), CsnnNorm.Batch);
        }
        table.AddRow("[bold]training, all layers[/]", $"{trainTotal:F2}", $"{trainBound:F2}", $"[bold]{trainTotal / trainBound:F2}[/]");
        int count = Math.Min(encode, images.Rows);
        var x = images.SliceRows(0, count);
        var esw = Stopwatch.StartNew();
        model.Encode(x, layers.Count);
        double et = esw.Elapsed.TotalSeconds;
        const int chunk = 64;
        // Whole chunks, then the last one's rest, as CsnnModel.Encode cuts them.
        var bounds = options.Select(o => Bound(engine, o, chunk * o.Positions, scoresOnly: true)).ToList();
        var rests = count % chunk == 0 ? [] : options.Select(o => Bound(engine, o, count % chunk * o.Positions, scoresOnly: true)).ToList();
        var ebw = Stopwatch.StartNew();
        foreach (var bd in bounds) bd(count / chunk, 1);
        foreach (var bd in rests) bd(1, 1);
        double eb = ebw.Elapsed.TotalSeconds;
        table.AddRow($"[bold]encoding {count:N0} images[/] ({count / et:N0} images/s)", $"{et:F2}", $"{eb:F2}", $"[bold]{et / eb:F2}[/]");
        AnsiConsole.Write(table);
        return 0;
    }
}

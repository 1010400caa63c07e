using System.Diagnostics;
using Hebb.Accelerated.Backends.Cpu;
using Hebb.Accelerated.Backends.Device;
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
          the products a step cannot avoid for each map (the scores of every patch, P (m o w)^T, and eq. 6's H^T A over
          the patches summed by their BMU; same shapes, same GEMM), and the reference engine's time for a few steps.
          Best of R. Images from
          CIFAR-10's training set (random pixels of its size when it is absent, and the output says so).
        """;

    public int Run(Args a)
    {
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
            images = InputNorm.Apply(data.Images, Math.Min(data.Count, count), 3, perChannel: false);
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
        using (var warm = engine.CreateCsnn(o, w0, m0)) for (int s = 0; s < Math.Min(20, steps); s++) warm.Step(batches[s], values);
        double best = double.MaxValue, bestBound = double.MaxValue;
        for (int r = 0; r < repeat; r++)
        {
            using var layer = engine.CreateCsnn(o, w0, m0);
            var sw = Stopwatch.StartNew();
            foreach (var b in batches) layer.Step(b, values);
            layer.ReadWeights(0);   // waits for a device backend to finish
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
            var bw = Stopwatch.StartNew();
            bound(steps);
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
        double flops = 2.0 * (rows + o.Neurons) * o.PatchSize * o.Neurons * o.Maps * steps;
        var table = new Table().AddColumns("what", "seconds", "images/s", "x GEMM-only");
        table.AddRow($"{steps:N0} steps, accelerated", $"{best:F3}", $"{steps * batch / best:N0}", $"{best / bestBound:F2}");
        table.AddRow($"the GEMMs only ({o.Maps} a step of {rows}x{o.PatchSize}x{o.Neurons} and of {o.Neurons}x{o.Neurons}x{o.PatchSize}, {flops / bestBound / 1e9:F0} GFLOP/s)", $"{bestBound:F3}", $"{steps * batch / bestBound:N0}", "1.00");
        if (refSteps > 0) table.AddRow($"reference (F#, float64; {refSteps} steps scaled to {steps:N0})", $"{refTime:F1}", $"{steps * batch / refTime:N0}", $"{refTime / bestBound:F0}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"steps / GEMM-only = [bold]{best / bestBound:F2}[/]" + (refSteps > 0 ? $"; accelerated / reference speed-up = {refTime / best:F0}x" : ""));
        return 0;
    }

    /// <summary>The products a step cannot avoid for each map (every patch's scores; H^T A over the patches summed by their
    /// BMU), on the engine's own GEMM (host arrays on cpu; device buffers in place on a GPU backend, waiting once at the
    /// end); the action runs them for the given number of steps.</summary>
    static Action<int> Bound(IEngine engine, CsnnOptions o, int rows)
    {
        int n = o.PatchSize, k = o.Neurons, maps = o.Maps;
        switch (engine)
        {
            case CpuEngine cpu:
            {
                var g = cpu.Gemm;
                var p = new float[rows * n]; var e = new float[k * n]; var s = new float[rows * k]; var hh = new float[k * k]; var w = new float[k * n];
                return steps =>
                {
                    for (int t = 0; t < steps; t++)
                        for (int h = 0; h < maps; h++)
                        {
                            g.Sgemm(false, true, rows, k, n, 1f, p, n, e, n, 0f, s, k);
                            g.Sgemm(true, false, k, n, k, 1f, hh, k, e, n, 1f, w, n);
                        }
                };
            }
            case DeviceEngine dev:
            {
                var d = dev.Device;
                var p = d.Alloc(rows * n); var e = d.Alloc(k * n); var s = d.Alloc(rows * k); var hh = d.Alloc(k * k); var w = d.Alloc(k * n);
                return steps =>
                {
                    for (int t = 0; t < steps; t++)
                        for (int h = 0; h < maps; h++)
                        {
                            d.Gemm(false, true, rows, k, n, 1f, p, n, e, n, 0f, s, k);
                            d.Gemm(true, false, k, n, k, 1f, hh, k, e, n, 1f, w, n);
                        }
                    d.Finish();
                };
            }
            default:
                throw new UsageException($"bench csnn: no GEMM-only bound for {engine.Name}");
        }
    }
}

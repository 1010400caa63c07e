using System.Diagnostics;
using Hebb.Contracts;
using Hebb.Runs;
using Spectre.Console;

namespace Hebb.Bench;

/// <summary><c>hebb bench mlp</c>: one epoch of the MLP probe beside the GEMM-only bound (its eight products), in one run.</summary>
public sealed class MlpBench : IBench
{
    public string Rule => "probe";

    public string Name => "mlp";

    public string Help => """
        hebb bench mlp [--features F (12288)] [--samples S (50000)] [--batch B (512)] [--repeat R (2)] [--backend X]
          Times one epoch of the MLP probe (512-256-10, batch norm, ELU, dropout; Adam) on S random vectors of F
          features, beside the GEMM-only bound measured in the same run: the same eight matrix products
          (three forward, three weight gradients, two input gradients) on the same backend.
        """;

    public int Run(Args a)
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
        var gemmStep = GemmBound.MlpGemms(engine, xs, batch, [features, 512, 256, 10]);
        using (var warm = engine.CreateClassifier(options, init)) warm.Step(xs[0], ys[0], masks[0], 1e-3);
        double bestEpoch = double.MaxValue, bestGemm = double.MaxValue;
        for (int r = 0; r < repeat; r++)
        {
            using var probe = engine.CreateClassifier(options, init);
            var sw = Stopwatch.StartNew();
            for (int s = 0; s < steps; s++) probe.Step(xs[s], ys[s], masks[s], 1e-3);
            bestEpoch = Math.Min(bestEpoch, sw.Elapsed.TotalSeconds);
            bestGemm = Math.Min(bestGemm, GemmBound.Fastest(gemmStep));
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
}

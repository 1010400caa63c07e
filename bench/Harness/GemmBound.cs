using System.Diagnostics;
using Hebb.Accelerated.Backends.Cpu;
using Hebb.Contracts;
using Hebb.Runs;
using Spectre.Console;

namespace Hebb.Bench;

/// <summary>The GEMM-only bounds the benches time beside a rule's epoch: the products a rule cannot avoid, on the
/// engine's own GEMM, in every configuration worth trying; the bound is the fastest.</summary>
public static class GemmBound
{
    /// <summary>The cpu engine's GEMM as the bound may run it: OpenBLAS with our one-thread rule for small products
    /// and with its own threading (the bound takes the faster); the managed GEMM as it is.</summary>
    public static IGemm[] BoundGemms(CpuEngine cpu) => cpu.Gemm is OpenBlasGemm ob ? [ob, ob.WithOwnThreading()] : [cpu.Gemm];

    /// <summary>How the bound's label says that <see cref="GemmOnly"/> timed the product both ways (cpu only).</summary>
    public static string BothOrientations(IEngine engine) => engine is CpuEngine ? " or its transpose, the faster" : "";

    /// <summary>The seconds of the fastest of <paramref name="runs"/>, each timed once.</summary>
    public static double Fastest(IEnumerable<Action> runs)
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
    public static (string Name, Action<long> Run)[] GemmOnly(IEngine engine, Matrix[] batches, int units, int dim, Matrix w0)
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
    public static Action[] MlpGemms(IEngine engine, Matrix[] xs, int batch, int[] widths)
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
}

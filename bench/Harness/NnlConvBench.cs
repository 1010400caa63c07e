using System.Diagnostics;
using Hebb.Accelerated.Backends.Cpu;
using Hebb.Accelerated.Rules.Krotov;
using Hebb.Contracts;
using Hebb.Data;
using Hebb.Runs;
using Hebb.Verification;
using Spectre.Console;

namespace Hebb.Bench;

/// <summary><c>hebb bench nnl-conv</c>: one learning epoch of NNL-CONV's filters beside the GEMM-only bound timed in slices between its steps, in one run; the steps' time by phase where they run one by one.</summary>
public sealed class NnlConvBench : IBench
{
    public string Rule => "nnl-conv";

    public string Name => "nnl-conv";

    public string Help => """
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
          the ranking, the update's terms, the update of W's touched rows, and the rest (CpuKrotovLayer.Phases).
        """;

    /// <summary>Images of the untimed warm-up epoch before bench nnl-conv's timed one.</summary>
    const int WarmImages = 1000;

    public int Run(Args a)
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
        var phases = layer is CpuKrotovLayer cpuLayer ? (PhaseTimes)(cpuLayer.Phases = new PhaseTimes(CpuKrotovLayer.PhaseNames)) : null;
        // The bound: the currents GEMM of every minibatch (batch x patch size by patch size x K), nothing else. Where
        // the steps run one by one on this thread, it is timed in slices between them (BoundSlices), so that the
        // machine's drift (these are shared virtual machines) falls on both alike; where the layer's own threads
        // learn, after the epoch (paused between steps, they would spin beside the bound's products).
        var bound = new BoundSlices(GemmBound.GemmOnly(engine, [Seeded.Uniform(batch, conv.PatchSize, 3)], filters, conv.PatchSize, w0));
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
                var (currents, rank, decide, update) = (ph["currents"], ph["rank"], ph["decide"], ph["update"]);
                table.AddRow("    currents GEMM", $"{currents:F2}", "", $"{currents / boundSeconds:F2}");
                table.AddRow($"    ranking (each patch's {rule.RankK} best filters)", $"{rank:F2}", "", $"{rank / boundSeconds:F2}");
                table.AddRow($"    the update's terms (winner, rank {rule.RankK})", $"{decide:F2}", "", $"{decide / boundSeconds:F2}");
                table.AddRow("    the update of the touched rows", $"{update:F2}", "", $"{update / boundSeconds:F2}");
                double rest = epoch - f.Waited - currents - rank - decide - update;
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
}

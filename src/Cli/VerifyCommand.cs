using Hebb.Accelerated;
using Hebb.Accelerated.Backends.Cpu;
using Hebb.Contracts;
using Hebb.Reference;
using Hebb.Verification;
using Spectre.Console;

namespace Hebb.Cli;

/// <summary><c>hebb verify</c>: the equivalence cases of tests/Equivalence, run here against the reference.</summary>
static class VerifyCommand
{
    public static string Help => $$"""
        hebb verify [--backend auto|cpu|cpu-managed|opencl|cuda] [--device D] [--rule {{string.Join("|", Rules.All.Select(r => r.Name))}}]
          Runs every equivalence case (the same ones as tests/Equivalence) for a backend against the
          reference engine on this machine and prints rule, case, largest absolute and relative error,
          pass or fail. Exit code 1 if any case fails. Without --backend: every backend present here
          (a backend that cannot start is listed as skipped, with the reason). A case whose rule a backend
          does not implement is listed as skipped, with the backend's reason (hebb rules lists them).
        """;

    public static int Run(Args a)
    {
        string? backend = a.Has("backend") ? EngineChoice.Backend(a) : null;
        string? rule = a.Str("rule");
        a.Str("device");
        a.RejectUnknown("verify");
        var engines = new List<IEngine>();
        if (backend is null)
        {
            if (OpenBlasGemm.TryLoad(out var why) is { } blas) engines.Add(new CpuEngine(blas));
            else AnsiConsole.MarkupLine($"[yellow]skipped[/] cpu (OpenBLAS): {Markup.Escape(why)}");
            engines.Add(new CpuEngine(new ManagedGemm()));
            foreach (var gpu in new[] { "opencl", "cuda" })
            {
                try { engines.Add(BackendSelector.Create(gpu, a.Str("device"))); }
                catch (NotSupportedException ex) { AnsiConsole.MarkupLine($"[yellow]skipped[/] {gpu}: {Markup.Escape(ex.Message)}"); }
            }
        }
        else engines.Add(EngineChoice.CreateAccelerated(a, backend));
        string? ruleName = null;
        if (rule is not null)
            ruleName = Rules.Find(rule)?.Name ?? throw new UsageException($"--rule {rule}: no such rule; available: {string.Join(", ", Rules.All.Select(r => r.Name))}");
        var cases = Cases.All.Where(c => ruleName is null || c.Rule == ruleName).ToList();
        if (cases.Count == 0) throw new UsageException($"--rule {rule}: the rule has no equivalence cases");
        int failed = 0, total = 0, skipped = 0;
        foreach (var engine in engines)
        {
            var table = new Table().Title(Markup.Escape(engine.Name)).AddColumns("rule", "case", "max abs err", "max rel err", "result");
            var details = new List<string>();

            foreach (var c in cases)
            {

                foreach (var r in Cases.Run(c, new ReferenceEngine(), engine))
                {
                    if (r.SkipReason is not null)
                    {
                        skipped++;
                        table.AddRow(r.Rule, Markup.Escape(r.Case), "", "", $"[yellow]skipped[/]: {Markup.Escape(r.SkipReason)}");
                        continue;
                    }
                    total++;
                    if (!r.Pass) { failed++; details.Add(r.ToString()); }
                    table.AddRow(r.Rule, Markup.Escape(r.Case), $"{r.MaxAbs:g3}", $"{r.MaxRel:g3}", r.Pass ? "[green]pass[/]" : "[red]FAIL[/]");
                }
            }
            AnsiConsole.Write(table);
            foreach (var d in details) AnsiConsole.WriteLine(d);
        }
        string skips = skipped > 0 ? $", {skipped} skipped (an engine does not implement the rule: the reason is in the table)" : "";
        AnsiConsole.MarkupLine(failed == 0 ? $"[green]{total} passed, 0 failed{skips}[/]" : $"[red]{total - failed} passed, {failed} failed{skips}[/]");
        return failed == 0 ? 0 : 1;
    }
}

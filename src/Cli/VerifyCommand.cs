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
    public const string Help = """
        hebb verify [--backend auto|cpu|cpu-managed|opencl|cuda] [--device D] [--rule krotov|top|probe|conv]
          Runs every equivalence case (the same ones as tests/Equivalence) for a backend against the
          reference engine on this machine and prints rule, case, largest absolute and relative error,
          pass or fail. Exit code 1 if any case fails. Without --backend: every backend present here
          (a backend that cannot start is listed as skipped, with the reason).
        """;

    public static int Run(Args a)
    {
        string? backend = a.Has("backend") ? Engines.Backend(a) : null;
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
        else engines.Add(Engines.CreateAccelerated(a, backend));
        var cases = Cases.All.Where(c => rule is null || c.Rule == rule).ToList();
        if (cases.Count == 0) throw new UsageException($"--rule {rule}: no such rule; available: {string.Join(", ", Cases.All.Select(c => c.Rule).Distinct())}");
        int failed = 0, total = 0;
        foreach (var engine in engines)
        {
            var table = new Table().Title(Markup.Escape(engine.Name)).AddColumns("rule", "case", "max abs err", "max rel err", "result");
            var details = new List<string>();

            foreach (var c in cases)
            {

                IEnumerable<Comparison> results;
                try { results = c.Run(new ReferenceEngine(), engine).ToList(); }
                catch (Exception ex) { results = [new Comparison(c.Rule, c.Name, double.NaN, double.NaN, false, ex.ToString())]; }
                foreach (var r in results)
                {
                    total++;
                    if (!r.Pass) { failed++; details.Add(r.ToString()); }
                    table.AddRow(r.Rule, Markup.Escape(r.Case), $"{r.MaxAbs:g3}", $"{r.MaxRel:g3}", r.Pass ? "[green]pass[/]" : "[red]FAIL[/]");
                }
            }
            AnsiConsole.Write(table);
            foreach (var d in details) AnsiConsole.WriteLine(d);
        }
        AnsiConsole.MarkupLine(failed == 0 ? $"[green]{total} passed, 0 failed[/]" : $"[red]{total - failed} passed, {failed} failed[/]");
        return failed == 0 ? 0 : 1;
    }
}

using Hebb.Accelerated.Backends.Cpu;
using Hebb.Accelerated.Backends.Device;
using Hebb.Contracts;
using Hebb.Reference;
using Hebb.Verification;
using Spectre.Console;

namespace Hebb.Cli;

/// <summary><c>hebb rules</c>: every rule's card, the backends that implement it (or why not), its equivalence cases,
/// what hebb train / eval / bench do with it, and its presets; all from the rules' own registrations.</summary>
static class RulesCommand
{
    public const string Help = """
        hebb rules [NAME]
          Lists every rule (and trainable layer set) Hebb implements: its paper and equations; the backends that
          implement it (reference, cpu, opencl, cuda), or the reason one does not; its equivalence cases (hebb verify
          --rule NAME); whether hebb train, hebb eval, hebb bench and hebb check take it; and the presets that train it
          (hebb reproduce PRESET). With NAME: that rule only.
        """;

    /// <summary>The engines a rule may be implemented on, by the engine type that implements it for them.</summary>
    static readonly (string Backends, Type Engine)[] EngineTypes =
        [("reference", typeof(ReferenceEngine)), ("cpu, cpu-managed", typeof(CpuEngine)), ("opencl, cuda", typeof(DeviceEngine))];

    public static int Run(Args a)
    {
        a.RejectUnknown("rules");
        var rules = Rules.All;
        if (a.Positional.Count >= 2)
        {
            var rule = Rules.Find(a.Positional[1]) ?? throw new UsageException($"rules {a.Positional[1]}: no such rule; rules: {string.Join(", ", Rules.All.Select(r => r.Name))}");
            rules = [rule];
        }
        string? presets = ReproduceCommand.PresetsFolder();
        foreach (var rule in rules)
        {
            var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
            grid.AddRow("[bold]rule[/]", Markup.Escape(rule.Name + (rule.Aliases.Count > 0 ? $" (also: {string.Join(", ", rule.Aliases)})" : "")));
            grid.AddRow("what", Markup.Escape(rule.Title));
            grid.AddRow("paper", Markup.Escape(rule.Paper));
            grid.AddRow("equations", Markup.Escape(string.Join("\n", rule.Equations)));
            grid.AddRow("backends", string.Join("\n", EngineTypes.Select(e => EngineBase.Missing(e.Engine, rule) is { } why
                ? $"[yellow]{Markup.Escape(e.Backends)}: not implemented[/] ({Markup.Escape(why)})"
                : $"[green]{Markup.Escape(e.Backends)}[/]")));
            int cases = Cases.All.Count(c => c.Rule == rule.Name);
            grid.AddRow("verified by", $"{cases} equivalence case{(cases == 1 ? "" : "s")} (hebb verify --rule {rule.Name})");
            var recipe = Recipes.Find(rule.Name);
            var commands = new List<string>();
            if (recipe is not null) commands.AddRange([$"hebb train {rule.Name}", $"hebb eval RUN (default probe {recipe.DefaultProbe})"]);
            else if (rule.IsTrainableLayer) commands.Add("a trainable layer: hebb eval's probes train it");
            else commands.Add("no recipe yet: hebb train and hebb eval do not take it");
            commands.AddRange(Hebb.Bench.Benches.All.Where(b => b.Rule == rule.Name).Select(b => $"hebb bench {b.Name}"));
            if (Hebb.Checks.RuleChecks.Find(rule.Name) is not null) commands.Add($"hebb check export|compare {rule.Name}");
            grid.AddRow("commands", Markup.Escape(string.Join("; ", commands)));
            var own = presets is null ? [] : ReproduceCommand.PresetsOf(presets, rule.Name).ToList();
            grid.AddRow("presets", Markup.Escape(own.Count > 0 ? string.Join(", ", own) + " (hebb reproduce NAME)" : "none"));
            AnsiConsole.Write(grid);
            AnsiConsole.WriteLine();
        }
        return 0;
    }
}

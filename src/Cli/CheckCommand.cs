using Hebb.Checks;
using Hebb.Contracts;
using Spectre.Console;

namespace Hebb.Cli;

/// <summary><c>hebb check</c>: export a rule's check case, and hold an outside implementation's trajectory on it to the
/// reference (<see cref="Judge"/>).</summary>
static class CheckCommand
{
    public static string Help => $"""
        hebb check export RULE --out DIR [rule options]
          Writes a check case into DIR: the initial state and the inputs of a short run (.npy), the options and each step's
          schedule (case.json), the reference engine's state after every step (.npy) and a README saying what each file
          holds and the step to implement. DIR must be empty, new or an earlier case.
        hebb check compare RULE DIR THEIRS [--report FILE]
          Holds your implementation's states after each step of the case in DIR (THEIRS: a folder with NAME.npy, every
          step stacked, or step-0001.NAME.npy, ...; or one .npy file for a state of one tensor) to the reference: each step
          replayed from your state before it, within the equivalence tests' tolerance; says which variant yours matches
          (the paper's, the authors' code), or the first step where it departs, which units differ and which term explains
          it. Exit code 0 when it matches a variant, 1 when it departs.

        Rules with a check: {string.Join(", ", RuleChecks.All.Select(c => c.Rule))}. Their export options:
        {string.Join("\n", RuleChecks.All.Select(c => $"  {c.Rule}:\n" + string.Join("\n", c.ExportHelp.TrimEnd().Split('\n').Select(l => "  " + l))))}
        """;

    public static int Run(Args a)
    {
        string sub = a.Positional.Count > 1 ? a.Positional[1] : throw new UsageException("hebb check: export or compare expected; see hebb check --help");
        string ruleName = a.Positional.Count > 2 ? a.Positional[2] : throw new UsageException($"hebb check {sub}: RULE expected ({string.Join(", ", RuleChecks.All.Select(c => c.Rule))})");
        var check = RuleChecks.Find(ruleName) ?? throw new UsageException(Rules.Find(ruleName) is null
            ? $"hebb check {sub} {ruleName}: no such rule; rules with a check: {string.Join(", ", RuleChecks.All.Select(c => c.Rule))}"
            : $"hebb check {sub} {ruleName}: this rule has no check yet; rules with one: {string.Join(", ", RuleChecks.All.Select(c => c.Rule))}");
        return sub switch
        {
            "export" => Export(a, check),
            "compare" => Compare(a, check),
            _ => throw new UsageException($"hebb check {sub}: export or compare expected"),
        };
    }

    static int Export(Args a, IRuleCheck check)
    {
        if (a.Positional.Count > 3) throw new UsageException($"hebb check export {check.Rule}: unexpected argument '{a.Positional[3]}' (the folder is --out DIR)");
        string outDir = a.Str("out") ?? throw new UsageException($"hebb check export {check.Rule}: --out DIR is required");
        if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any() && !File.Exists(Path.Combine(outDir, "case.json")))
            throw new UsageException($"--out {outDir}: the folder holds files and is not a check case; choose a new or empty folder");
        if (File.Exists(outDir)) throw new UsageException($"--out {outDir}: a file, not a folder");
        var c = check.Export(a);
        a.RejectUnknown($"check export {check.Rule}");
        Args.OutputFolder(outDir, "--out");
        c.Save(outDir, check.Readme(c));
        AnsiConsole.MarkupLine($"wrote a check case of {Markup.Escape(check.Rule)} ({c.Count} steps) to {Markup.Escape(outDir)}: case.json, README.md, " +
                               $"{string.Join(", ", c.StateNames.Select(n => CheckCase.FileOf("initial", n)))}, inputs.npy, {string.Join(", ", c.StateNames.Select(n => CheckCase.FileOf("reference", n)))}");
        AnsiConsole.MarkupLine($"next: run your implementation on it (README.md says how) and [bold]hebb check compare {Markup.Escape(check.Rule)} {Markup.Escape(outDir)} YOURS[/]");
        return 0;
    }

    static int Compare(Args a, IRuleCheck check)
    {
        if (a.Positional.Count != 5) throw new UsageException($"hebb check compare {check.Rule} DIR THEIRS: the case's folder and your states are expected");
        string dir = a.Positional[3], theirs = a.Positional[4];
        string? reportFile = a.Str("report");
        a.RejectUnknown($"check compare {check.Rule}");
        var c = CheckCase.Load(dir);
        if (c.Rule != check.Rule) throw new UsageException($"{dir}: a case of {c.Rule}, not {check.Rule}; run hebb check compare {c.Rule} {dir} {theirs}");
        var states = Trajectory.Read(c, theirs);
        var report = Judge.Run(check, c, states, dir, theirs);
        foreach (var line in report.Lines) Console.WriteLine(line);
        if (reportFile is not null) RunFolder.WriteText(reportFile, report + Environment.NewLine);
        return report.Matches is null ? 1 : 0;
    }
}

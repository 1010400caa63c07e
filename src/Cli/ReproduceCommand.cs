using System.Text;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Hebb.Cli;

/// <summary>
/// <c>hebb reproduce NAME</c>: runs a published experiment as a preset file describes it (presets/NAME.json: the
/// hebb commands, hyperparameters as the paper gives them) and writes ours beside the paper's figures.
/// </summary>
static class ReproduceCommand
{
    public const string Help = """
        hebb reproduce NAME [--out DIR] [--quick] [--only PART,...] [--seed S] [--data DIR] [--backend X] [--presets DIR]
          Runs presets/NAME.json: its steps are hebb commands ({out} is the output folder), then its results table
          (a field of a report, ours, beside the paper's figure) goes to DIR/report.md and the screen.
          The same command again continues: steps that finished (listed in DIR/steps.done) are not run again, and a
          training step that was stopped (Ctrl-C, SIGTERM, a kill) resumes from its checkpoint (train --resume).
          --out DIR      output folder (runs/reproduce-NAME; with --seed S, runs/reproduce-NAME-seedS)
          --quick        append the preset's "quick" arguments to each step (a smaller, faster run; not the paper's)
          --only PART,...  run only the steps that write or read {out}/PART (a preset's rows by their folders, e.g.
                         csnn-ablation's s2-rm); the table still lists every row, those not yet run as "missing"
          --seed S       passed to every training step: another draw of the initial weights and the image order
                         (the steps' own default is 1), for a mean over runs as the papers report some rows
          --data, --backend   passed to every step
          --presets DIR  where the presets are (./presets, else beside the hebb executable)
          Without NAME: the list of presets.
        """;

    /// <summary>Where the presets are: ./presets, else beside the hebb executable; null where neither exists.</summary>
    public static string? PresetsFolder() =>
        new[] { "presets", Path.Combine(AppContext.BaseDirectory, "presets") }.FirstOrDefault(Directory.Exists);

    /// <summary>The presets (names) whose steps train <paramref name="rule"/> (a step "train RULE ...").</summary>
    public static IEnumerable<string> PresetsOf(string dir, string rule) =>
        Directory.GetFiles(dir, "*.json").Order()
            .Where(f =>
            {
                try { return Preset.Read(f).Steps.Any(st => st.Length >= 2 && st[0] == "train" && st[1] == rule); }
                catch (UsageException) { return false; }
            })
            .Select(f => Path.GetFileNameWithoutExtension(f)!);

    public static int Run(Args a)
    {
        string? dir = a.Str("presets");
        string? outOption = a.Str("out");
        bool quick = a.Has("quick");
        string? onlyOption = a.Str("only");
        string? data = a.Str("data");
        string? backend = a.Str("backend");
        // The training steps' seed as they are given it (a step's own default is 1).
        string? seed = a.Has("seed") ? a.Int("seed", 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        a.RejectUnknown("reproduce");
        dir ??= PresetsFolder() ?? throw new UsageException("reproduce: no presets folder (looked for ./presets and beside the executable); give --presets DIR");
        if (!Directory.Exists(dir)) throw new UsageException($"--presets {dir}: no such folder (it holds the presets, NAME.json)");
        if (a.Positional.Count < 2)
        {
            foreach (var f in Directory.GetFiles(dir, "*.json").Order())
            {
                string line;
                try { var p = Preset.Read(f); line = $"{p.Paper}: {p.Description}"; }
                catch (UsageException ex) { line = $"(not readable: {ex.Message})"; }
                Console.WriteLine($"{Path.GetFileNameWithoutExtension(f),-24} {line}");
            }
            return 0;
        }
        string name = a.Positional[1];
        string file = Path.Combine(dir, name + ".json");
        if (!File.Exists(file))
            throw new UsageException($"reproduce {name}: no preset {file}; presets: {string.Join(", ", Directory.GetFiles(dir, "*.json").Select(Path.GetFileNameWithoutExtension).Order())}");
        var preset = Preset.Read(file);
        string outDir = Args.OutputFolder(outOption ?? Path.Combine("runs", "reproduce-" + name + (seed is null ? "" : "-seed" + seed)), outOption is null ? "the output folder" : "--out");
        var quickArgs = quick ? preset.Quick : new Dictionary<string, string[]>();
        var parts = preset.Steps.SelectMany(Parts).Distinct().Order().ToList();
        HashSet<string>? only = null;
        if (onlyOption is not null)
        {
            only = [.. onlyOption.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
            if (only.Count == 0 || !only.IsSubsetOf(parts))
                throw new UsageException($"--only {onlyOption}: {name}'s parts are {string.Join(", ", parts)} (the folders its steps write under {{out}})");
        }
        Directory.CreateDirectory(outDir);
        string donePath = Path.Combine(outDir, "steps.done");
        var done = File.Exists(donePath) ? File.ReadAllLines(donePath).ToHashSet() : [];

        string seedText = seed is null ? "" : $" (training seed {seed})";
        AnsiConsole.MarkupLine($"[bold]hebb reproduce {Markup.Escape(name)}[/]{seedText}: {Markup.Escape(preset.Paper)}{(quick ? " (quick: not the paper's settings)" : "")} -> {Markup.Escape(outDir)}");
        foreach (var stepArgs in preset.Steps)
        {
            if (only is not null && !Parts(stepArgs).Any(only.Contains)) continue;
            var step = stepArgs.Select(x => x.Replace("{out}", outDir)).ToList();
            if (quickArgs.TryGetValue(step[0], out var extra)) step.AddRange(extra);
            if (data is not null) step.AddRange(["--data", data]);
            if (backend is not null && step[0] is "train" or "eval") step.AddRange(["--backend", backend]);
            if (seed is not null && step[0] == "train") step.AddRange(["--seed", seed]);
            string line = string.Join(' ', step);
            if (done.Contains(line))
            {
                AnsiConsole.MarkupLine($"[grey]done already: hebb {Markup.Escape(line)}[/]");
                continue;
            }
            // A training step stopped before (its partial folder holds a checkpoint) continues from there.
            int o = step.IndexOf("--out");
            if (step[0] == "train" && o >= 0 && o + 1 < step.Count && StagedRun.CanResume(step[o + 1], Checkpoint.FileName)) step.Add("--resume");
            AnsiConsole.MarkupLine($"[grey]$ hebb {Markup.Escape(string.Join(' ', step))}[/]");
            int code = Commands.Run([.. step]);
            if (code == 130) throw new StoppedException($"reproduce {name}: stopped in the step 'hebb {string.Join(' ', step)}'; the same hebb reproduce command continues from there");
            if (code != 0) throw new UsageException($"reproduce {name}: the step 'hebb {string.Join(' ', step)}' failed with exit code {code}");
            File.AppendAllText(donePath, line + "\n");
            done.Add(line);
        }

        var results = preset.Results;
        var md = new StringBuilder($"# hebb reproduce {name}{(quick ? " --quick" : "")}{seedText}\n\n{preset.Paper}: {preset.Description}\n\n");
        if (results.Count > 0) md.Append("| experiment | ours | paper |\n| --- | --- | --- |\n");
        var table = new Table().AddColumns("experiment", "ours", "paper");
        foreach (var row in results)
        {
            string report = row.Report.Replace("{out}", outDir);
            string field = row.Field;
            JsonNode? json = null;
            try { json = File.Exists(report) ? JsonNode.Parse(File.ReadAllText(report)) : null; }
            catch (System.Text.Json.JsonException ex) { throw new UsageException($"reproduce {name}: {report} is not valid JSON ({ex.Message})"); }
            double? ours = Number(json?[field]);
            // A probe's accuracy (or error) with its binomial standard error over the test images, when the report has it.
            double? se = field is "test_error" or "test_accuracy" ? Number(json?["test_accuracy_se"]) : null;
            string paperText = row.Paper is { } p ? Percent(p) : "—";
            string oursText = ours is { } v ? Percent(v) + (se is { } e ? " ± " + Percent(e) : "") : "missing";
            md.Append($"| {row.Label} ({field}) | {oursText} | {paperText} |\n");
            table.AddRow(Markup.Escape(row.Label), oursText, paperText);
        }
        string? noteText = preset.Note?.Replace("{out}", outDir);
        if (noteText is not null) md.Append($"\n{noteText}\n");
        RunFolder.WriteText(Path.Combine(outDir, "report.md"), md.ToString());
        if (results.Count > 0) AnsiConsole.Write(table);
        else if (noteText is not null) AnsiConsole.WriteLine(noteText);
        AnsiConsole.MarkupLine($"report: {Markup.Escape(Path.Combine(outDir, "report.md"))}");
        return 0;
    }

    /// <summary>The parts of the preset a step touches: the first folder after "{out}/" in each of its arguments.</summary>
    static IEnumerable<string> Parts(string[] step) =>
        step.Where(x => x.StartsWith("{out}/", StringComparison.Ordinal))
            .Select(x => x["{out}/".Length..].Split('/')[0])
            .Where(x => x.Length > 0);

    static double? Number(JsonNode? n) => n is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    static string Percent(double x) => (100 * x).ToString("F2", System.Globalization.CultureInfo.InvariantCulture) + "%";
}

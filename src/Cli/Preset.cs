using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hebb.Cli;

/// <summary>A preset (presets/NAME.json) read and checked as a whole before any step runs: its paper and description,
/// its steps (hebb commands: train or eval, then their arguments), the arguments --quick appends per command, its
/// results rows (label, the report file and its field, the paper's figure) and an optional note. A file that is not
/// valid JSON, or lacks a field or holds it with the wrong type, is refused naming the file and the field.</summary>
sealed record Preset(string Paper, string Description, IReadOnlyList<string[]> Steps, IReadOnlyDictionary<string, string[]> Quick,
                     IReadOnlyList<Preset.Row> Results, string? Note)
{
    public sealed record Row(string Label, string Report, string Field, double? Paper);

    public static Preset Read(string file)
    {
        JsonObject json;
        try { json = JsonNode.Parse(File.ReadAllText(file)) as JsonObject ?? throw new JsonException("the top level is not an object"); }
        catch (JsonException ex) { throw new UsageException($"{file}: not a valid preset ({ex.Message})"); }
        UsageException Bad(string field, string what) => new($"{file}: the field '{field}' {what}");
        string Text(JsonNode? n, string field) =>
            n is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw Bad(field, "must be a string");
        string[] Strings(JsonNode? n, string field) =>
            n is JsonArray a ? [.. a.Select((x, i) => Text(x, $"{field}[{i}]"))] : throw Bad(field, "must be an array of strings");
        var steps = json["steps"] is JsonArray st && st.Count > 0 ? st.Select((s, i) => Strings(s, $"steps[{i}]")).ToList() : throw Bad("steps", "must be a non-empty array of commands");
        for (int i = 0; i < steps.Count; i++)
            if (steps[i].Length == 0 || steps[i][0] is not ("train" or "eval")) throw Bad($"steps[{i}]", "must start with train or eval");
        var quick = new Dictionary<string, string[]>();
        if (json["quick"] is JsonNode qn)
        {
            if (qn is not JsonObject q) throw Bad("quick", "must be an object of argument lists");
            foreach (var (cmd, list) in q) quick[cmd] = Strings(list, $"quick.{cmd}");
        }
        var rows = new List<Row>();
        if (json["results"] is JsonNode rn)
        {
            if (rn is not JsonArray ra) throw Bad("results", "must be an array");
            for (int i = 0; i < ra.Count; i++)
            {
                if (ra[i] is not JsonObject r) throw Bad($"results[{i}]", "must be an object");
                double? paper = r["paper"] is null ? null
                    : r["paper"] is JsonValue pv && pv.TryGetValue<double>(out var d) ? d : throw Bad($"results[{i}].paper", "must be a number");
                rows.Add(new(Text(r["label"], $"results[{i}].label"), Text(r["report"], $"results[{i}].report"), Text(r["field"], $"results[{i}].field"), paper));
            }
        }
        return new(Text(json["paper"], "paper"), Text(json["description"], "description"), steps, quick, rows,
                   json["note"] is null ? null : Text(json["note"], "note"));
    }
}

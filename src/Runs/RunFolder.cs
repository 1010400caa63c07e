using System.Text.Json;
using System.Text.Json.Nodes;
using Hebb.Data;

namespace Hebb.Runs;

/// <summary>
/// A run's folder (written through a <see cref="StagedRun"/>): written file by file without half-written files
/// (<see cref="WriteText"/>), and read back as <c>hebb eval</c> reads it: its options.json, with errors that name the
/// file and the field. A folder whose options.json is not valid JSON, or lacks a field or holds it with the wrong type,
/// is a bad RUN argument (exit code 2), never a crash.
/// </summary>
public static class RunFolder
{
    /// <summary>How a run's JSON files are written: indented, and text as it reads (an apostrophe or a plus sign as
    /// itself, not \u0027 or \u002B).</summary>
    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes a text file whole or not at all (a newline at the end).</summary>
    public static void WriteText(string path, string text) => AtomicFile.Write(path, s =>
    {
        using var wr = new StreamWriter(s);
        wr.Write(text.EndsWith('\n') ? text : text + "\n");
    });

    /// <summary>Refuses a run folder that lacks one of the files a finished run of its rule has, naming them.</summary>
    public static void RequireFinished(string run, params string[] files)
    {
        if (files.All(f => File.Exists(Path.Combine(run, f)))) return;
        throw new UsageException($"eval: {run} is not a finished training run (it needs options.json and {string.Join(", ", files)}); for the raw-pixel baseline use: hebb eval raw --dataset NAME");
    }

    /// <summary>The rule a run folder was trained with ("krotov" for runs that predate the field).</summary>
    public static string RuleOf(string run)
    {
        var options = Options(run);
        return options is null ? "krotov" : Optional(options, run, "rule", "krotov");
    }
    /// <summary>The run's options.json as an object, or null where the folder has none.</summary>
    public static JsonObject? Options(string run)
    {
        string path = Path.Combine(run, "options.json");
        if (!File.Exists(path)) return null;
        JsonNode? node;
        try { node = JsonNode.Parse(File.ReadAllText(path)); }
        catch (JsonException ex) { throw Bad(path, $"is not valid JSON ({ex.Message})"); }
        return node as JsonObject ?? throw Bad(path, "is not a JSON object");
    }

    /// <summary>A field every run of its rule has.</summary>
    public static T Required<T>(JsonObject options, string run, string field) =>
        Read<T>(options, run, field, out T value) ? value : throw Bad(Path.Combine(run, "options.json"), $"has no \"{field}\"");

    /// <summary>A field older runs may lack: <paramref name="fallback"/> where it is absent or null.</summary>
    public static T Optional<T>(JsonObject options, string run, string field, T fallback) =>
        Read<T>(options, run, field, out T value) ? value : fallback;

    static bool Read<T>(JsonObject options, string run, string field, out T value)
    {
        value = default!;
        if (options[field] is null) return false;
        try
        {
            value = options[field]!.GetValue<T>();
            return true;
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            throw Bad(Path.Combine(run, "options.json"), $"holds \"{field}\": {options[field]!.ToJsonString()}, which is not {Describe(typeof(T))}");
        }
    }

    static string Describe(Type t) =>
        t == typeof(int) ? "an integer" : t == typeof(double) ? "a number" : t == typeof(bool) ? "true or false" : t == typeof(string) ? "a string" : t.Name;

    static UsageException Bad(string path, string what) =>
        new($"{path} {what}; is {Path.GetDirectoryName(path)} a run folder written by hebb train?");
}

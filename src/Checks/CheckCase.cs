using System.Text.Json;
using System.Text.Json.Nodes;
using Hebb.Contracts;
using Hebb.Data;
using Hebb.Runs;

namespace Hebb.Checks;

/// <summary>
/// A check case (<c>hebb check export</c>): what an outside implementation of a rule needs to replay a short run exactly
/// (the rule's options, the initial state, the inputs in the order the steps consume them, each step's schedule values)
/// and the reference engine's state after every step. On disk a folder: case.json, initial.NAME.npy (float32),
/// inputs.npy (float32, one item per step), reference.NAME.npy (float64, one item per step) and a README.
/// </summary>
public sealed class CheckCase
{
    /// <summary>The version of the folder's layout, in case.json.</summary>
    public const int Format = 1;

    public required string Rule { get; init; }
    /// <summary>The rule's options, as the check's export took them (each rule's check reads its own).</summary>
    public required JsonObject Options { get; init; }
    /// <summary>The names of the state's tensors, in order ("weights"; per head for CSNN).</summary>
    public required IReadOnlyList<string> StateNames { get; init; }
    public required State Initial { get; init; }
    /// <summary>The inputs, one item of the outermost axis per step.</summary>
    public required NdArray Inputs { get; init; }
    /// <summary>Each step's schedule values ({"lr": 0.04}), one per step.</summary>
    public required IReadOnlyList<JsonObject> Steps { get; init; }
    /// <summary>The reference engine's state after each step.</summary>
    public required IReadOnlyList<State> Reference { get; init; }

    public int Count => Steps.Count;

    /// <summary>This case with <see cref="Reference"/> computed: <paramref name="variant"/>'s step after step from the
    /// initial state.</summary>
    public CheckCase WithReference(CheckVariant variant)
    {
        var states = new List<State>();
        State state = Initial;
        for (int t = 0; t < Count; t++) states.Add(state = variant.Step(state, t));
        return new CheckCase { Rule = Rule, Options = Options, StateNames = StateNames, Initial = Initial, Inputs = Inputs, Steps = Steps, Reference = states };
    }

    /// <summary>The file of a state tensor: "weights/0" is initial.weights.0.npy.</summary>
    public static string FileOf(string prefix, string name) => $"{prefix}.{RuleState.FileStem(name)}.npy";

    /// <summary>Writes the case into <paramref name="dir"/> (each file whole or not at all) with <paramref name="readme"/>.</summary>
    public void Save(string dir, string readme)
    {
        Directory.CreateDirectory(dir);
        foreach (var name in StateNames)
        {
            Npy.WriteArray(Path.Combine(dir, FileOf("initial", name)), Initial[name], float32: true);
            Npy.WriteArray(Path.Combine(dir, FileOf("reference", name)), NdArray.Stack(Reference.Select(s => s[name]).ToList()));
        }
        Npy.WriteArray(Path.Combine(dir, "inputs.npy"), Inputs, float32: true);
        var json = new JsonObject
        {
            ["format"] = Format, ["rule"] = Rule, ["steps"] = Count, ["options"] = Options.DeepClone(),
            ["state"] = new JsonArray([.. StateNames.Select(n => (JsonNode)JsonValue.Create(n)!)]),
            ["schedule"] = new JsonArray([.. Steps.Select(s => s.DeepClone())]),
            ["initial"] = new JsonObject(StateNames.Select(n => KeyValuePair.Create(n, (JsonNode?)FileOf("initial", n)))),
            ["inputs"] = "inputs.npy",
            ["reference"] = new JsonObject(StateNames.Select(n => KeyValuePair.Create(n, (JsonNode?)FileOf("reference", n)))),
        };
        RunFolder.WriteText(Path.Combine(dir, "case.json"), json.ToJsonString(RunFolder.Json));
        RunFolder.WriteText(Path.Combine(dir, "README.md"), readme);
    }

    /// <summary>Reads a case folder; a <see cref="UsageException"/> naming the file and what is wrong where it is not one.</summary>
    public static CheckCase Load(string dir)
    {
        string path = Path.Combine(dir, "case.json");
        if (!File.Exists(path)) throw new UsageException($"{dir}: not a check case (no case.json); make one with hebb check export RULE --out DIR");
        JsonObject json;
        try { json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new JsonException("not an object"); }
        catch (JsonException ex) { throw new UsageException($"{path}: not valid JSON ({ex.Message})"); }
        T Field<T>(string name) where T : JsonNode =>
            json[name] as T ?? throw new UsageException($"{path}: the field '{name}' is missing or of the wrong kind");
        int format = (int?)json["format"] ?? 0;
        if (format != Format) throw new UsageException($"{path}: case format {format}; this hebb reads format {Format}");
        var names = Field<JsonArray>("state").Select(n => (string)n!).ToList();
        var schedule = Field<JsonArray>("schedule").Select(n => n as JsonObject ?? throw new UsageException($"{path}: a schedule entry is not an object")).ToList();
        State ReadState(string prefix)
        {
            var s = new Dictionary<string, NdArray>();
            foreach (var n in names) s[n] = Npy.ReadArray(Path.Combine(dir, FileOf(prefix, n)));
            return s;
        }
        var initial = ReadState("initial");
        var inputs = Npy.ReadArray(Path.Combine(dir, "inputs.npy"));
        var stackedReference = ReadState("reference");
        if (inputs.Rank < 1 || inputs.Shape[0] != schedule.Count)
            throw new UsageException($"{dir}: inputs.npy has shape {NdArray.Describe(inputs.Shape)}; the case has {schedule.Count} steps");
        foreach (var n in names)
            if (!stackedReference[n].Shape.SequenceEqual(new[] { schedule.Count }.Concat(initial[n].Shape)))
                throw new UsageException($"{dir}: {FileOf("reference", n)} has shape {NdArray.Describe(stackedReference[n].Shape)}; ({schedule.Count}, {string.Join(", ", initial[n].Shape)}) is needed");
        var reference = Enumerable.Range(0, schedule.Count).Select(t => (State)names.ToDictionary(n => n, n => stackedReference[n].Item(t))).ToList();
        return new CheckCase
        {
            Rule = (string?)json["rule"] ?? throw new UsageException($"{path}: no 'rule'"), Options = (JsonObject)Field<JsonObject>("options").DeepClone(),
            StateNames = names, Initial = initial, Inputs = inputs, Steps = schedule.Select(s => (JsonObject)s.DeepClone()).ToList(), Reference = reference,
        };
    }
}

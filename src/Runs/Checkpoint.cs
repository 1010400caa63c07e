using System.Text.Json.Nodes;
using Hebb.Contracts;
using Hebb.Data;

namespace Hebb.Runs;

/// <summary>
/// A training run's checkpoint in its partial folder (<see cref="StagedRun"/>): the state after <see cref="Step"/> steps
/// of epoch <see cref="Epoch"/> (0-based; step 0 of an epoch is before it draws its order) as named float32 tensors, so
/// that a resumed run, replaying its seeded draws up to there, ends bit for bit where the uninterrupted run ends. The
/// tensors are written first under names that carry the position, then checkpoint.json names them (each file whole or
/// not at all), so that a run killed while writing one leaves the previous checkpoint readable.
/// </summary>
public sealed record Checkpoint(int Epoch, int Step, RuleState State)
{
    /// <summary>The checkpoint's index in a run's partial folder (<see cref="StagedRun.CanResume"/> looks for it).</summary>
    public const string FileName = "checkpoint.json";

    public void Write(string dir)
    {
        var files = new JsonObject();
        foreach (var (name, t) in State)
        {
            string file = $"checkpoint-{Epoch}-{Step}.{RuleState.FileStem(name)}.npy";
            Npy.Write(Path.Combine(dir, file), t.AsMatrix());
            files[name] = new JsonObject { ["file"] = file, ["shape"] = new JsonArray([.. t.Shape.Select(d => (JsonNode)d)]) };
        }
        var previous = Directory.EnumerateFiles(dir, "checkpoint-*.npy").Where(f => !files.Any(kv => (string)kv.Value!["file"]! == Path.GetFileName(f))).ToList();
        RunFolder.WriteText(Path.Combine(dir, FileName), new JsonObject { ["epoch"] = Epoch, ["step"] = Step, ["state"] = files }.ToJsonString());
        foreach (var f in previous) File.Delete(f);
    }

    /// <summary>The checkpoint in <paramref name="dir"/>, or a <see cref="UsageException"/> naming what is missing.</summary>
    public static Checkpoint Read(string dir, string final)
    {
        string path = Path.Combine(dir, FileName);
        if (!File.Exists(path)) throw new UsageException($"--resume: {final} has no unfinished run to resume ({path} is missing); run without --resume to start one");
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var state = new RuleState();
        foreach (var (name, node) in json["state"]!.AsObject())
        {
            var shape = node!["shape"]!.AsArray().Select(d => (int)d!).ToArray();
            state.Add(name, Tensor.Of(Npy.Read(Path.Combine(dir, (string)node["file"]!)), shape));
        }
        return new((int)json["epoch"]!, (int)json["step"]!, state);
    }

    /// <summary>Removes the checkpoint files (a finished run does not keep them).</summary>
    public static void Remove(string dir)
    {
        foreach (var f in Directory.EnumerateFiles(dir, "checkpoint*")) File.Delete(f);
    }

    /// <summary>The checkpoint of the unfinished run in <paramref name="dir"/>, its options checked against
    /// <paramref name="options"/> first.</summary>
    public static Checkpoint Resume(string dir, string final, JsonObject options)
    {
        SameOptions(dir, final, options);
        return Read(dir, final);
    }

    /// <summary>A fresh run's options.json and an empty metrics file.</summary>
    public static void StartFresh(string dir, JsonObject options, string metricsPath)
    {
        RunFolder.WriteText(Path.Combine(dir, "options.json"), options.ToJsonString(RunFolder.Json));
        File.WriteAllText(metricsPath, "");
    }

    /// <summary>The metrics lines a resumed run keeps (those <paramref name="keep"/> accepts: what the checkpoint had
    /// measured), written back without the rest, and returned parsed.</summary>
    public static List<JsonNode> KeepMetrics(string metricsPath, Func<JsonNode, int, bool> keep)
    {
        var kept = File.ReadAllLines(metricsPath).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!).Where(keep).ToList();
        File.WriteAllLines(metricsPath, kept.Select(j => j.ToJsonString()));
        return kept;
    }

    /// <summary>Refuses to resume a run whose options differ from the unfinished one's, naming the fields.</summary>
    public static void SameOptions(string dir, string final, JsonObject options)
    {
        var earlier = RunFolder.Options(dir) ?? throw new UsageException($"--resume: {dir} has no options.json");
        var differ = options.Select(kv => kv.Key).Union(earlier.Select(kv => kv.Key))
            .Where(k => k != "engine" && !JsonNode.DeepEquals(options[k], earlier[k])).ToList();
        if (differ.Count > 0)
            throw new UsageException($"--resume: the unfinished run in {final} had other options ({string.Join(", ", differ.Select(k => $"{k}: {earlier[k]?.ToJsonString() ?? "none"} there, {options[k]?.ToJsonString() ?? "none"} now"))}); give the same options, or run without --resume");
    }
}

using System.Text.Json.Nodes;
using Hebb.Contracts;
using Hebb.Data;

namespace Hebb.Runs;

/// <summary><c>hebb eval --features DIR</c>: a representation's encoded training and test sets kept between probes
/// (a D-CSNN encoding of CIFAR-10 takes minutes), with the key that says what they are: the representation, the
/// dataset, the image counts and the options that change the features. A folder whose key differs is not used.</summary>
public static class FeatureCache
{
    public static (Matrix Train, Matrix Test, Matrix? Shadowed)? Load(string dir, string key)
    {
        string keyPath = Path.Combine(dir, "features.json");
        if (!File.Exists(keyPath)) return null;
        string? stored;
        try { stored = (string?)JsonNode.Parse(File.ReadAllText(keyPath))?["key"]; }
        catch (System.Text.Json.JsonException) { return null; }
        if (stored != key) return null;
        string shadowPath = Path.Combine(dir, "shadowed.npy");
        return (Npy.Read(Path.Combine(dir, "train.npy")), Npy.Read(Path.Combine(dir, "test.npy")), File.Exists(shadowPath) ? Npy.Read(shadowPath) : null);
    }

    /// <summary>Writes the features, then the key (last, so that a folder with a key is complete).</summary>
    public static void Save(string dir, string key, Matrix train, Matrix test, Matrix? shadowed)
    {
        Directory.CreateDirectory(dir);
        File.Delete(Path.Combine(dir, "features.json"));
        Npy.Write(Path.Combine(dir, "train.npy"), train);
        Npy.Write(Path.Combine(dir, "test.npy"), test);
        string shadowPath = Path.Combine(dir, "shadowed.npy");
        if (shadowed is not null) Npy.Write(shadowPath, shadowed);
        else File.Delete(shadowPath);
        RunFolder.WriteText(Path.Combine(dir, "features.json"), new JsonObject { ["key"] = key }.ToJsonString());
    }
}

using System.Text.Json.Nodes;
using Hebb.Data;
using Hebb.Evaluation;

namespace Hebb.Runs;

/// <summary><c>hebb eval --features DIR</c>: a representation's encoded images kept between probes (a D-CSNN encoding
/// of CIFAR-10's 60,000 images takes about 20 minutes), part by part as each is encoded: the training images
/// (<c>train-0.npy</c>), augmented copy k (<c>train-k.npy</c>; its augmentation is seeded by k, so that an
/// <c>--augment 10</c> run takes the copies an <c>--augment 2</c> run kept), the test images and their shadowed twins.
/// An encoding stopped part way resumes at the first part missing. <c>features.json</c> holds the key that says what
/// the parts are (the representation, the dataset, the image counts, the seed) and the augmentation its copies were
/// drawn with; a folder that holds another key, or copies of another augmentation, is refused, not overwritten.
/// Parts are written whole or not at all, in the run's <see cref="FeaturePrecision"/>.</summary>
public sealed class FeatureCache
{
    readonly FeaturePrecision _precision;

    public string Dir { get; }

    FeatureCache(string dir, FeaturePrecision precision) { Dir = dir; _precision = precision; }

    /// <summary>The folder for <paramref name="key"/>: one that holds it, or a new or empty one (the key is written at
    /// once, before any part). A folder an earlier hebb kept without augmented copies, whose key is one of
    /// <paramref name="earlierKeys"/>, is taken over: its train.npy is the training part. A run with augmented copies
    /// gives their <paramref name="augmentation"/> (<see cref="AugmentOptions.Describe"/>): copies kept with another
    /// are refused, and copies kept without one (before 2026-12-04) were drawn with <paramref name="earlierAugmentation"/>.</summary>
    public static FeatureCache Open(string dir, string key, FeaturePrecision precision, IReadOnlyCollection<string>? earlierKeys = null,
                                    string? augmentation = null, string? earlierAugmentation = null)
    {
        string keyPath = Path.Combine(dir, "features.json");
        if (File.Exists(keyPath))
        {
            string? stored = null, storedAugmentation = null;
            try
            {
                var json = JsonNode.Parse(File.ReadAllText(keyPath));
                stored = (string?)json?["key"];
                storedAugmentation = (string?)json?["augmentation"];
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException) { }
            if (stored is not null && earlierKeys?.Contains(stored) == true)
            {
                string whole = Path.Combine(dir, "train.npy"), first = Path.Combine(dir, "train-0.npy");
                if (File.Exists(whole)) File.Move(whole, first);
                WriteKey(keyPath, key, storedAugmentation);
                stored = key;
            }
            if (stored != key)
                throw new UsageException($"--features {dir} holds " + (stored is null ? "a features.json without a readable key" : $"the features of '{stored}'") +
                                         $", not of '{key}'" + (File.Exists(Path.Combine(dir, "train.npy")) ? " (kept by an earlier hebb, all training rows in one train.npy)" : "") +
                                         ": give another folder, or delete this one");
            if (augmentation is not null)
            {
                var copies = Copies(dir);
                storedAugmentation ??= copies.Length > 0 ? earlierAugmentation : null;
                if (copies.Length > 0 && storedAugmentation != augmentation)
                    throw new UsageException($"--features {dir} holds augmented copies ({string.Join(", ", copies.Select(Path.GetFileName))}) drawn with " +
                                             $"{storedAugmentation}; this run draws {augmentation}: give the --augment-rotation, --augment-shift and " +
                                             "--augment-fill that drew them, another folder, or delete those copies (the training and test parts stay kept)");
                if (storedAugmentation != augmentation) WriteKey(keyPath, key, augmentation);
            }
        }
        else
        {
            if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any())
                throw new UsageException($"--features {dir}: the folder holds files but no features.json; give a new or empty folder");
            Directory.CreateDirectory(dir);
            WriteKey(keyPath, key, augmentation);
        }
        return new FeatureCache(dir, precision);
    }

    static void WriteKey(string path, string key, string? augmentation)
    {
        var json = new JsonObject { ["key"] = key };
        if (augmentation is not null) json["augmentation"] = augmentation;
        RunFolder.WriteText(path, json.ToJsonString());
    }

    /// <summary>The augmented copies kept in <paramref name="dir"/> (train-k.npy, k from 1), in the order of k.</summary>
    static string[] Copies(string dir) =>
        [.. Directory.EnumerateFiles(dir, "train-*.npy")
            .Select(f => (f, k: int.TryParse(Path.GetFileNameWithoutExtension(f)["train-".Length..], out int k) ? k : 0))
            .Where(c => c.k >= 1).OrderBy(c => c.k).Select(c => c.f)];

    /// <summary>The part kept under <paramref name="part"/>, in the run's precision (float32 parts are rounded to half
    /// for a half-precision run; half-precision parts are refused to a float32 run, whose features they are not), or
    /// null where it has not been kept.</summary>
    public FeatureRows? Load(string part)
    {
        string path = PathOf(part);
        if (!File.Exists(path)) return null;
        if (Npy.Dtype(path) == "<f2")
        {
            if (_precision != FeaturePrecision.Half)
                throw new UsageException($"{path} holds half-precision features; add --feature-precision half, or give another --features folder");
            var (rows, cols, data) = Npy.ReadHalf(path);
            return FeatureRows.OfHalf(rows, cols, data);
        }
        return FeatureRows.Of(Npy.Read(path)).In(_precision);
    }

    /// <summary>Writes <paramref name="rows"/> as <paramref name="part"/>, whole or not at all.</summary>
    public void Save(string part, FeatureRows rows)
    {
        if (rows.Precision == FeaturePrecision.Half) Npy.WriteHalf(PathOf(part), rows.Rows, rows.Cols, rows.HalfBlocks);
        else Npy.Write(PathOf(part), rows.ToMatrix());
    }

    string PathOf(string part) => Path.Combine(Dir, part + ".npy");
}

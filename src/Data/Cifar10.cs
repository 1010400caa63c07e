using System.Formats.Tar;
using System.IO.Compression;
using Hebb.Contracts;

namespace Hebb.Data;

/// <summary>CIFAR-10's binary version: records of 1 label byte + 3072 pixel bytes (R, G, B planes of 32x32).</summary>
public static class Cifar10
{
    public const string Tarball = "cifar-10-binary.tar.gz", Folder = "cifar-10-batches-bin";
    const int Record = 1 + 3072;

    public static Dataset Load(string root, bool train)
    {
        string[] files = train ? [.. Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin")] : ["test_batch.bin"];
        string folder = Path.Combine(root, Folder), tar = Path.Combine(root, Tarball);
        var blobs = new Dictionary<string, byte[]>();
        if (Directory.Exists(folder))
        {
            foreach (var f in files)
            {
                string p = Path.Combine(folder, f);
                if (!File.Exists(p)) throw new DataException($"cifar10: missing {p} (the folder {folder} exists but lacks it). Get it with: hebb data fetch cifar10");
                CheckSize(p, new FileInfo(p).Length);
                blobs[f] = File.ReadAllBytes(p);
            }
        }
        else if (File.Exists(tar))
        {
            try
            {
                using var fs = File.OpenRead(tar);
                using var gz = new GZipStream(fs, CompressionMode.Decompress);
                using var reader = new TarReader(gz);
                while (reader.GetNextEntry() is { } entry)
                {
                    string name = Path.GetFileName(entry.Name);
                    if (entry.DataStream is null || !files.Contains(name)) continue;
                    CheckSize($"{tar}: {entry.Name}", entry.Length);
                    var blob = new byte[entry.Length];
                    int got = entry.DataStream.ReadAtLeast(blob, blob.Length, throwOnEndOfStream: false);
                    if (got < blob.Length) throw new DataException($"{tar}: {entry.Name} ends after {got:N0} of its {blob.Length:N0} bytes (truncated)");
                    blobs[name] = blob;
                }
            }
            catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or FormatException)
            {
                throw new DataException($"{tar}: not a readable .tar.gz ({ex.Message})");
            }
            var missing = files.Where(f => !blobs.ContainsKey(f)).ToArray();
            if (missing.Length > 0) throw new DataException($"{tar}: the archive lacks {string.Join(", ", missing)} (truncated or not the CIFAR-10 binary version)");
        }
        else
            throw new DataException($"cifar10: looked for the folder {folder} and the archive {tar}; neither exists (data folder {root}, from --data, HEBB_DATA or ./data). Get it with: hebb data fetch cifar10");

        foreach (var f in files)
            if (blobs[f].Length == 0 || blobs[f].Length % Record != 0)
                throw new DataException($"cifar10: {f} has {blobs[f].Length} bytes, not a whole number of {Record}-byte records (truncated or corrupt; the official batches hold 10,000 each)");
        int n = files.Sum(f => blobs[f].Length / Record);
        var odd = files.Where(f => blobs[f].Length / Record != 10_000).ToList();
        if (odd.Count > 0)
            DataNotes.Write?.Invoke($"cifar10 in {root}: {string.Join(", ", odd.Select(f => $"{f} holds {blobs[f].Length / Record:N0} records"))}; " +
                                    $"the official batches hold 10,000 each, so this {(train ? "training" : "test")} set has {n:N0} images, not {files.Length * 10_000:N0}");
        var images = new Matrix(n, 3072);
        var labels = new int[n];
        int row = 0;
        foreach (var f in files)
        {
            var b = blobs[f];
            for (int r = 0; r < b.Length / Record; r++, row++)
            {
                int off = r * Record;
                labels[row] = b[off];
                if (labels[row] > 9) throw new DataException($"cifar10: {f} record {r} has label {labels[row]}; labels must be 0..9");
                var dst = images.Row(row);
                for (int i = 0; i < 3072; i++) dst[i] = b[off + 1 + i] / 255f;
            }
        }
        return new Dataset("cifar10", images, labels, 32, 32, 3);
    }

    /// <summary>Refuses, before reading it, a batch that is not a whole number of records or larger than the format's
    /// batches could be (the official ones hold 10,000 records; more than 100,000 is not CIFAR-10).</summary>
    static void CheckSize(string what, long bytes)
    {
        if (bytes == 0 || bytes % Record != 0)
            throw new DataException($"cifar10: {what} has {bytes:N0} bytes, not a whole number of {Record}-byte records (truncated or corrupt; the official batches hold 10,000 each)");
        if (bytes / Record > 100_000)
            throw new DataException($"cifar10: {what} holds {bytes / Record:N0} records; a CIFAR-10 batch holds 10,000 (not the CIFAR-10 binary version)");
    }
}

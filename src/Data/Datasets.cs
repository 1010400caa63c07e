using System.Buffers.Binary;
using System.Formats.Tar;
using System.IO.Compression;
using Hebb.Contracts;

namespace Hebb.Data;

/// <summary>A dataset file is missing, truncated or corrupt; the message says which file, what was wrong and where we looked.</summary>
public sealed class DataException(string message) : Exception(message);

/// <summary>Images as rows of pixel / 255 (channel-major for colour), with their labels.</summary>
public sealed record Dataset(string Name, Matrix Images, int[] Labels, int Height, int Width, int Channels)
{
    public int Count => Labels.Length;
    public int Classes => 10;
}

/// <summary>Where datasets live: --data DIR, else HEBB_DATA, else ./data.</summary>
public static class DataRoot
{
    public static string Resolve(string? option)
    {
        string? env = Environment.GetEnvironmentVariable("HEBB_DATA");
        return Path.GetFullPath(option ?? (string.IsNullOrEmpty(env) ? "data" : env));
    }
}

public static class Datasets
{
    public static readonly string[] Names = ["mnist", "fashion-mnist", "cifar10"];

    /// <summary>Loads the train or test split of <paramref name="name"/> from <paramref name="root"/>.</summary>
    public static Dataset Load(string name, string root, bool train) => name switch
    {
        "mnist" or "fashion-mnist" => Idx.LoadMnistLike(name, root, train),
        "cifar10" => Cifar10.Load(root, train),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, $"dataset must be one of {string.Join(", ", Names)}"),
    };
}

/// <summary>The IDX format of MNIST and Fashion-MNIST (big-endian header: magic, dimensions; then bytes), gzip-compressed.</summary>
public static class Idx
{
    public static Dataset LoadMnistLike(string name, string root, bool train)
    {
        string dir = Path.Combine(root, name);
        string prefix = train ? "train" : "t10k";
        string images = Path.Combine(dir, $"{prefix}-images-idx3-ubyte.gz");
        string labels = Path.Combine(dir, $"{prefix}-labels-idx1-ubyte.gz");
        foreach (var f in new[] { images, labels })
            if (!File.Exists(f))
                throw new DataException(
                    $"{name}: missing {Path.GetFileName(f)}; looked for {images} and {labels} (data folder {root}, from --data, HEBB_DATA or ./data). " +
                    $"Get it with: hebb data fetch {name}");
        var (pix, n, h, w) = ReadImages(images);
        var lab = ReadLabels(labels);
        if (lab.Length != n) throw new DataException($"{labels}: {lab.Length} labels but {images} holds {n} images");
        return new Dataset(name, pix, lab, h, w, 1);
    }

    static byte[] Gunzip(string path)
    {
        try
        {
            using var fs = File.OpenRead(path);
            using var gz = new GZipStream(fs, CompressionMode.Decompress);
            using var ms = new MemoryStream();
            gz.CopyTo(ms);
            return ms.ToArray();
        }
        catch (InvalidDataException ex) { throw new DataException($"{path}: not a valid gzip file ({ex.Message})"); }
        catch (EndOfStreamException) { throw new DataException($"{path}: the gzip stream is truncated"); }
    }

    /// <summary>An IDX3 file (magic 0x00000803): count x rows x cols unsigned bytes, returned as pixel / 255.</summary>
    public static (Matrix Pixels, int Count, int Height, int Width) ReadImages(string path)
    {
        var bytes = Gunzip(path);
        if (bytes.Length < 16) throw new DataException($"{path}: {bytes.Length} bytes, too short for an IDX3 header (16 bytes)");
        int magic = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (magic != 0x803) throw new DataException($"{path}: magic number 0x{magic:x8}; an IDX3 image file starts with 0x00000803");
        int n = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4)), h = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8)), w = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(12));
        if (n < 0 || h <= 0 || w <= 0) throw new DataException($"{path}: header says {n} images of {h}x{w}");
        long need = 16L + (long)n * h * w;
        if (bytes.Length != need) throw new DataException($"{path}: {bytes.Length} bytes after decompression; the header ({n} images of {h}x{w}) needs {need} (truncated or corrupt)");
        var m = new Matrix(n, h * w);
        for (int i = 0; i < m.Data.Length; i++) m.Data[i] = bytes[16 + i] / 255f;
        return (m, n, h, w);
    }

    /// <summary>An IDX1 file (magic 0x00000801): count unsigned bytes, each a label 0..9.</summary>
    public static int[] ReadLabels(string path)
    {
        var bytes = Gunzip(path);
        if (bytes.Length < 8) throw new DataException($"{path}: {bytes.Length} bytes, too short for an IDX1 header (8 bytes)");
        int magic = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (magic != 0x801) throw new DataException($"{path}: magic number 0x{magic:x8}; an IDX1 label file starts with 0x00000801");
        int n = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4));
        if (n < 0 || bytes.Length != 8L + n) throw new DataException($"{path}: {bytes.Length} bytes after decompression; the header ({n} labels) needs {8L + n} (truncated or corrupt)");
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = bytes[8 + i];
            if (labels[i] > 9) throw new DataException($"{path}: label {labels[i]} at index {i}; labels must be 0..9");
        }
        return labels;
    }
}

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
                    using var ms = new MemoryStream();
                    entry.DataStream.CopyTo(ms);
                    blobs[name] = ms.ToArray();
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
}

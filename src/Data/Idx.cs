using System.Buffers.Binary;
using System.IO.Compression;
using Hebb.Contracts;

namespace Hebb.Data;

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

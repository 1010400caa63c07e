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

    /// <summary>Runs <paramref name="read"/> on the decompressed stream of a .gz file, turning what a broken file throws
    /// into a <see cref="DataException"/> naming it.</summary>
    static T WithGzip<T>(string path, Func<Stream, T> read)
    {
        try
        {
            using var fs = File.OpenRead(path);
            using var gz = new GZipStream(fs, CompressionMode.Decompress);
            return read(gz);
        }
        catch (InvalidDataException ex) { throw new DataException($"{path}: not a valid gzip file ({ex.Message})"); }
        catch (EndOfStreamException) { throw new DataException($"{path}: the gzip stream is truncated"); }
    }

    /// <summary>Refuses a declared size that the .gz file cannot hold: deflate expands at most 1032:1, so a header that
    /// declares more is corrupt, and is refused before its size is allocated.</summary>
    static void Holdable(string path, long bytes, string declared)
    {
        long compressed = new FileInfo(path).Length;
        if (bytes > 1100L * compressed + 1024)
            throw new DataException($"{path}: {declared} {bytes:N0} bytes, more than a gzip file of {compressed:N0} bytes can hold (deflate expands at most 1032:1): corrupt");
    }

    /// <summary>Reads exactly <paramref name="buffer"/>'s length, or says how much the data lacks.</summary>
    static void Exactly(Stream s, Span<byte> buffer, string path, long done, long total, string declared)
    {
        int got = s.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (got < buffer.Length)
            throw new DataException($"{path}: the data ends after {done + got:N0} of the {total:N0} bytes {declared} (truncated or corrupt)");
    }

    /// <summary>Refuses bytes after the last one the header declares.</summary>
    static void AtEnd(Stream s, string path, string declared)
    {
        Span<byte> one = stackalloc byte[1];
        if (s.Read(one) > 0) throw new DataException($"{path}: more bytes than {declared} (corrupt, or not this file)");
    }

    /// <summary>An IDX3 file (magic 0x00000803): count x rows x cols unsigned bytes, returned as pixel / 255. Streamed:
    /// the header's sizes are checked against what one array holds before anything is allocated, and the data against
    /// the header.</summary>
    public static (Matrix Pixels, int Count, int Height, int Width) ReadImages(string path) => WithGzip(path, gz =>
    {
        Span<byte> head = stackalloc byte[16];
        int got = gz.ReadAtLeast(head, 16, throwOnEndOfStream: false);
        if (got < 16) throw new DataException($"{path}: {got} bytes, too short for an IDX3 header (16 bytes)");
        int magic = BinaryPrimitives.ReadInt32BigEndian(head);
        if (magic != 0x803) throw new DataException($"{path}: magic number 0x{magic:x8}; an IDX3 image file starts with 0x00000803");
        int n = BinaryPrimitives.ReadInt32BigEndian(head[4..]), h = BinaryPrimitives.ReadInt32BigEndian(head[8..]), w = BinaryPrimitives.ReadInt32BigEndian(head[12..]);
        if (n < 0 || h <= 0 || w <= 0) throw new DataException($"{path}: header says {n} images of {h}x{w}");
        long values = (long)n * h * w;
        if ((long)h * w > int.MaxValue || values > Array.MaxLength)
            throw new DataException($"{path}: header says {n:N0} images of {h}x{w}, {values:N0} pixels, more than one array holds ({Array.MaxLength:N0}); not an MNIST-like file");
        string declared = $"the header ({n} images of {h}x{w}) declares";
        Holdable(path, values, declared);
        var m = new Matrix(n, h * w);
        var block = new byte[1 << 20];
        for (long at = 0; at < values; at += block.Length)
        {
            int count = (int)Math.Min(block.Length, values - at);
            Exactly(gz, block.AsSpan(0, count), path, at, values, declared);
            for (int i = 0; i < count; i++) m.Data[at + i] = block[i] / 255f;
        }
        AtEnd(gz, path, declared);
        return (m, n, h, w);
    });

    /// <summary>An IDX1 file (magic 0x00000801): count unsigned bytes, each a label 0..9; streamed as the images.</summary>
    public static int[] ReadLabels(string path) => WithGzip(path, gz =>
    {
        Span<byte> head = stackalloc byte[8];
        int got = gz.ReadAtLeast(head, 8, throwOnEndOfStream: false);
        if (got < 8) throw new DataException($"{path}: {got} bytes, too short for an IDX1 header (8 bytes)");
        int magic = BinaryPrimitives.ReadInt32BigEndian(head);
        if (magic != 0x801) throw new DataException($"{path}: magic number 0x{magic:x8}; an IDX1 label file starts with 0x00000801");
        int n = BinaryPrimitives.ReadInt32BigEndian(head[4..]);
        if (n < 0 || n > Array.MaxLength) throw new DataException($"{path}: header says {n} labels");
        string declared = $"the header ({n} labels) declares";
        Holdable(path, n, declared);
        var bytes = new byte[n];
        Exactly(gz, bytes, path, 0, n, declared);
        AtEnd(gz, path, declared);
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = bytes[i];
            if (labels[i] > 9) throw new DataException($"{path}: label {labels[i]} at index {i}; labels must be 0..9");
        }
        return labels;
    });
}

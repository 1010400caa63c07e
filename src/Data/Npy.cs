using System.Buffers.Binary;
using System.Text;
using Hebb.Contracts;

namespace Hebb.Data;

/// <summary>NumPy's .npy format: 2-D little-endian float32 matrices (dtype '&lt;f4', C order) for weights and features
/// (float16, '&lt;f2', for features kept at half precision), and
/// arrays of any rank in float32 or float64 (<see cref="NdArray"/>) for the check cases.</summary>
public static class Npy
{
    /// <summary>Floats converted per read or write: large arrays (a probe's 50,000 x 12,288 features, 2.5 GB) stream
    /// through a buffer of this many instead of one byte array of the whole.</summary>
    const int Block = 1 << 20;

    public static void Write(string path, Matrix m) => AtomicFile.Write(path, s =>
    {
        WriteHeader(s, "<f4", [m.Rows, m.Cols]);
        var bytes = new byte[Block * 4];
        for (long at = 0; at < m.Data.LongLength; at += Block)
        {
            int count = (int)Math.Min(Block, m.Data.LongLength - at);
            for (int i = 0; i < count; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), m.Data[at + i]);
            s.Write(bytes, 0, count * 4);
        }
    });

    /// <summary>A 2-D matrix of float16 values ('&lt;f2', IEEE binary16, C order) written from its rows' parts in
    /// order (each part whole rows), whole or not at all: features kept at half precision.</summary>
    public static void WriteHalf(string path, int rows, int cols, IEnumerable<Half[]> parts) => AtomicFile.Write(path, s =>
    {
        WriteHeader(s, "<f2", [rows, cols]);
        long written = 0;
        var bytes = new byte[Block * 2];
        foreach (var part in parts)
            for (long at = 0; at < part.LongLength; at += Block)
            {
                int count = (int)Math.Min(Block, part.LongLength - at);
                for (int i = 0; i < count; i++) BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(i * 2), part[at + i]);
                s.Write(bytes, 0, count * 2);
                written += count;
            }
        if (written != (long)rows * cols) throw new ArgumentException($"the parts hold {written} values; a {rows}x{cols} matrix needs {(long)rows * cols}", nameof(parts));
    });

    /// <summary>A 2-D matrix of float16 ('&lt;f2') values as they are stored.</summary>
    public static (int Rows, int Cols, Half[] Data) ReadHalf(string path)
    {
        using var f = Open(path, out var header);
        if (header.Descr != "<f2") throw new DataException($"{path}: dtype is '{header.Descr}', not '<f2' (float16 little-endian)");
        if (header.Shape.Length != 2) throw new DataException($"{path}: shape {Shape(header.Shape)} is not 2-D");
        CheckSize(f, path, header, 2);
        var data = new Half[header.Shape[0] * header.Shape[1]];
        var bytes = new byte[Block * 2];
        for (long at = 0; at < data.LongLength; at += Block)
        {
            int count = (int)Math.Min(Block, data.LongLength - at);
            f.ReadExactly(bytes, 0, count * 2);
            for (int i = 0; i < count; i++) data[at + i] = BinaryPrimitives.ReadHalfLittleEndian(bytes.AsSpan(i * 2));
        }
        return ((int)header.Shape[0], (int)header.Shape[1], data);
    }

    /// <summary>The dtype of a .npy file ('&lt;f4', '&lt;f2', ...), read from its header.</summary>
    public static string Dtype(string path)
    {
        using var f = Open(path, out var header);
        return header.Descr;
    }

    public static Matrix Read(string path)
    {
        using var f = Open(path, out var header);
        if (header.Descr != "<f4") throw new DataException($"{path}: dtype is '{header.Descr}', not '<f4' (float32 little-endian); save with .astype(np.float32)");
        if (header.Shape.Length != 2) throw new DataException($"{path}: shape {Shape(header.Shape)} is not 2-D");
        long rows = header.Shape[0], cols = header.Shape[1];
        CheckSize(f, path, header, 4);
        var m = new Matrix((int)rows, (int)cols);
        var bytes = new byte[Block * 4];
        for (long at = 0; at < m.Data.LongLength; at += Block)
        {
            int count = (int)Math.Min(Block, m.Data.LongLength - at);
            f.ReadExactly(bytes, 0, count * 4);
            for (int i = 0; i < count; i++) m.Data[at + i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4));
        }
        return m;
    }

    /// <summary>A .npy array of any rank, float32 ('&lt;f4') or float64 ('&lt;f8'), C order, as float64 values.</summary>
    public static NdArray ReadArray(string path)
    {
        using var f = Open(path, out var header);
        int size = header.Descr switch
        {
            "<f4" => 4,
            "<f8" => 8,
            _ => throw new DataException($"{path}: dtype is '{header.Descr}'; '<f4' (float32) or '<f8' (float64), little-endian, is required"),
        };
        CheckSize(f, path, header, size);
        var a = new NdArray([.. header.Shape.Select(d => (int)d)]);
        var bytes = new byte[Block * 8];
        for (long at = 0; at < a.Data.LongLength; at += Block)
        {
            int count = (int)Math.Min(Block, a.Data.LongLength - at);
            f.ReadExactly(bytes, 0, count * size);
            for (int i = 0; i < count; i++)
                a.Data[at + i] = size == 4 ? BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4)) : BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(i * 8));
        }
        return a;
    }

    /// <summary>Writes an array of any rank as float64 ('&lt;f8') or, with <paramref name="float32"/>, float32 (each
    /// value rounded to the nearest float32), whole or not at all.</summary>
    public static void WriteArray(string path, NdArray a, bool float32 = false) => AtomicFile.Write(path, s =>
    {
        WriteHeader(s, float32 ? "<f4" : "<f8", a.Shape);
        int size = float32 ? 4 : 8;
        var bytes = new byte[Block * size];
        for (long at = 0; at < a.Data.LongLength; at += Block)
        {
            int count = (int)Math.Min(Block, a.Data.LongLength - at);
            for (int i = 0; i < count; i++)
            {
                if (float32) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), (float)a.Data[at + i]);
                else BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), a.Data[at + i]);
            }
            s.Write(bytes, 0, count * size);
        }
    });

    static void WriteHeader(Stream s, string descr, IReadOnlyList<int> shape)
    {
        string dims = shape.Count == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({dims}), }}";
        int total = 10 + dict.Length + 1;
        int pad = (64 - total % 64) % 64;
        string header = dict + new string(' ', pad) + "\n";
        s.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        Span<byte> len = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length);
        s.Write(len);
        s.Write(Encoding.ASCII.GetBytes(header));
    }

    /// <summary>Opens a .npy file and parses its header (versions 1, 2 and 3), leaving the stream at the data.</summary>
    static FileStream Open(string path, out NpyHeader header)
    {
        if (!File.Exists(path)) throw new DataException($"{path}: no such .npy file");
        var f = File.OpenRead(path);
        try
        {
            var head = new byte[12];
            int got = f.ReadAtLeast(head, 12, throwOnEndOfStream: false);
            if (got < 10 || head[0] != 0x93 || Encoding.ASCII.GetString(head, 1, 5) != "NUMPY")
                throw new DataException($"{path}: not a .npy file (no \\x93NUMPY magic)");
            int major = head[6];
            if (major is < 1 or > 3) throw new DataException($"{path}: .npy format version {major}.{head[7]}; versions 1 to 3 are read");
            if (major > 1 && got < 12) throw new DataException($"{path}: the header is truncated");
            long hlen = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(8)) : BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(8));
            int start = major == 1 ? 10 : 12;
            if (start + hlen > f.Length || hlen > 1 << 20) throw new DataException($"{path}: the header is truncated");
            var headerBytes = new byte[hlen];
            f.Position = start;
            f.ReadExactly(headerBytes);
            header = NpyHeader.Parse(major == 3 ? Encoding.UTF8.GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes), path);
            if (header.FortranOrder) throw new DataException($"{path}: Fortran order is not supported; save with np.ascontiguousarray");
            return f;
        }
        catch { f.Dispose(); throw; }
    }

    /// <summary>Refuses a shape with more values than one array holds and data bytes that are not exactly the shape's.</summary>
    static void CheckSize(FileStream f, string path, NpyHeader header, int size)
    {
        System.Numerics.BigInteger count = 1;
        foreach (var d in header.Shape) count *= d;
        if (count > Array.MaxLength || header.Shape.Any(d => d > int.MaxValue))
            throw new DataException($"{path}: shape {Shape(header.Shape)} has more values than one array holds ({Array.MaxLength:N0})");
        long bytes = f.Length - f.Position;
        if (bytes != (long)count * size)
            throw new DataException($"{path}: {bytes} data bytes; shape {Shape(header.Shape)} of {size switch { 2 => "float16", 4 => "float32", _ => "float64" }} needs {(long)count * size} (truncated or corrupt)");
    }

    static string Shape(long[] shape) => shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
}

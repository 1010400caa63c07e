using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Hebb.Contracts;

namespace Hebb.Data;

/// <summary>NumPy's .npy format, version 1.0, for 2-D little-endian float32 arrays (dtype '&lt;f4', C order).</summary>
public static class Npy
{
    /// <summary>Floats converted per read or write: large arrays (a probe's 50,000 x 12,288 features, 2.5 GB) stream
    /// through a buffer of this many instead of one byte array of the whole.</summary>
    const int Block = 1 << 20;

    public static void Write(string path, Matrix m) => AtomicFile.Write(path, s =>
    {
        string dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({m.Rows}, {m.Cols}), }}";
        int total = 10 + dict.Length + 1;
        int pad = (64 - total % 64) % 64;
        string header = dict + new string(' ', pad) + "\n";
        s.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        Span<byte> len = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length);
        s.Write(len);
        s.Write(Encoding.ASCII.GetBytes(header));
        var bytes = new byte[Block * 4];
        for (long at = 0; at < m.Data.LongLength; at += Block)
        {
            int count = (int)Math.Min(Block, m.Data.LongLength - at);
            for (int i = 0; i < count; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), m.Data[at + i]);
            s.Write(bytes, 0, count * 4);
        }
    });

    public static Matrix Read(string path)
    {
        if (!File.Exists(path)) throw new DataException($"{path}: no such .npy file");
        using var f = File.OpenRead(path);
        var head = new byte[12];
        int got = f.ReadAtLeast(head, 12, throwOnEndOfStream: false);
        if (got < 10 || head[0] != 0x93 || Encoding.ASCII.GetString(head, 1, 5) != "NUMPY")
            throw new DataException($"{path}: not a .npy file (no \\x93NUMPY magic)");
        int major = head[6];
        long hlen = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(8)) : BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(8));
        int start = major == 1 ? 10 : 12;
        if (start + hlen > f.Length || hlen > 1 << 20) throw new DataException($"{path}: the header is truncated");
        var headerBytes = new byte[hlen];
        f.Position = start;
        f.ReadExactly(headerBytes);
        string header = Encoding.ASCII.GetString(headerBytes);
        if (!header.Contains("'<f4'")) throw new DataException($"{path}: dtype is not '<f4' (float32 little-endian): {header.Trim()}");
        if (header.Contains("'fortran_order': True")) throw new DataException($"{path}: Fortran order is not supported; save with np.ascontiguousarray");
        var shape = Regex.Match(header, @"'shape':\s*\((\d+),\s*(\d+)\s*,?\s*\)");
        if (!shape.Success) throw new DataException($"{path}: shape is not 2-D: {header.Trim()}");
        if (!int.TryParse(shape.Groups[1].Value, CultureInfo.InvariantCulture, out int rows) || !int.TryParse(shape.Groups[2].Value, CultureInfo.InvariantCulture, out int cols))
            throw new DataException($"{path}: shape ({shape.Groups[1].Value}, {shape.Groups[2].Value}) is larger than an array holds");
        long data = start + hlen;
        if (f.Length - data != (long)rows * cols * 4)
            throw new DataException($"{path}: {f.Length - data} data bytes; shape ({rows}, {cols}) float32 needs {(long)rows * cols * 4} (truncated or corrupt)");
        if ((long)rows * cols > Array.MaxLength)
            throw new DataException($"{path}: shape ({rows}, {cols}) has more values than one array holds ({Array.MaxLength:N0})");
        var m = new Matrix(rows, cols);
        var bytes = new byte[Block * 4];
        for (long at = 0; at < m.Data.LongLength; at += Block)
        {
            int count = (int)Math.Min(Block, m.Data.LongLength - at);
            f.ReadExactly(bytes, 0, count * 4);
            for (int i = 0; i < count; i++) m.Data[at + i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4));
        }
        return m;
    }
}

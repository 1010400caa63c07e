using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Hebb.Contracts;

namespace Hebb.Data;

/// <summary>NumPy's .npy format, version 1.0, for 2-D little-endian float32 arrays (dtype '&lt;f4', C order).</summary>
public static class Npy
{
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
        var bytes = new byte[m.Data.Length * 4];
        for (int i = 0; i < m.Data.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), m.Data[i]);
        s.Write(bytes);
    });

    public static Matrix Read(string path)
    {
        if (!File.Exists(path)) throw new DataException($"{path}: no such .npy file");
        var b = File.ReadAllBytes(path);
        if (b.Length < 10 || b[0] != 0x93 || Encoding.ASCII.GetString(b, 1, 5) != "NUMPY")
            throw new DataException($"{path}: not a .npy file (no \\x93NUMPY magic)");
        int major = b[6];
        int hlen = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(8)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(8));
        int start = major == 1 ? 10 : 12;
        if (start + hlen > b.Length) throw new DataException($"{path}: the header is truncated");
        string header = Encoding.ASCII.GetString(b, start, hlen);
        if (!header.Contains("'<f4'")) throw new DataException($"{path}: dtype is not '<f4' (float32 little-endian): {header.Trim()}");
        if (header.Contains("'fortran_order': True")) throw new DataException($"{path}: Fortran order is not supported; save with np.ascontiguousarray");
        var shape = Regex.Match(header, @"'shape':\s*\((\d+),\s*(\d+)\s*,?\s*\)");
        if (!shape.Success) throw new DataException($"{path}: shape is not 2-D: {header.Trim()}");
        int rows = int.Parse(shape.Groups[1].Value, CultureInfo.InvariantCulture), cols = int.Parse(shape.Groups[2].Value, CultureInfo.InvariantCulture);
        int data = start + hlen;
        if (b.Length - data != (long)rows * cols * 4)
            throw new DataException($"{path}: {b.Length - data} data bytes; shape ({rows}, {cols}) float32 needs {(long)rows * cols * 4} (truncated or corrupt)");
        var m = new Matrix(rows, cols);
        for (int i = 0; i < m.Data.Length; i++) m.Data[i] = BinaryPrimitives.ReadSingleLittleEndian(b.AsSpan(data + 4 * i));
        return m;
    }
}

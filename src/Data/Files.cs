using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using Hebb.Contracts;

namespace Hebb.Data;

/// <summary>Writes a file whole or not at all: into a temporary file beside it, then renamed over it.</summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        string tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write))
                write(fs);
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }
}

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

/// <summary>A minimal PNG writer: 8-bit RGB, no interlace, one zlib-compressed IDAT.</summary>
public static class Png
{
    static readonly uint[] CrcTable = MakeCrcTable();

    static uint[] MakeCrcTable()
    {
        var t = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }

    static uint Crc(ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (var x in type) c = CrcTable[(c ^ x) & 0xFF] ^ (c >> 8);
        foreach (var x in data) c = CrcTable[(c ^ x) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }

    static void Chunk(Stream s, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> u32 = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(u32, (uint)data.Length); s.Write(u32);
        var t = Encoding.ASCII.GetBytes(type);
        s.Write(t); s.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(u32, Crc(t, data)); s.Write(u32);
    }

    /// <summary>Writes <paramref name="rgb"/> (height x width x 3 bytes, row-major) as a PNG file.</summary>
    public static void Write(string path, int width, int height, byte[] rgb)
    {
        if (rgb.Length != width * height * 3) throw new ArgumentException($"rgb has {rgb.Length} bytes; {width}x{height} RGB needs {width * height * 3}", nameof(rgb));
        AtomicFile.Write(path, s =>
        {
            s.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
            var ihdr = new byte[13];
            BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
            BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
            ihdr[8] = 8; ihdr[9] = 2;
            Chunk(s, "IHDR", ihdr);
            using var ms = new MemoryStream();
            using (var z = new ZLibStream(ms, CompressionLevel.Optimal, leaveOpen: true))
                for (int y = 0; y < height; y++)
                {
                    z.WriteByte(0);
                    z.Write(rgb, y * width * 3, width * 3);
                }
            Chunk(s, "IDAT", ms.ToArray());
            Chunk(s, "IEND", []);
        });
    }
}

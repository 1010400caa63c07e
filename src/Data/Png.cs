using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Hebb.Data;

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

using Hebb.Contracts;
using Hebb.Data;
using Xunit;

namespace Hebb.Tests.Integration;

/// <summary>
/// Every reader under mutated input (issue 33): headers with bytes flipped or sizes made huge, truncations, appended
/// bytes, broken compression. Each case either reads (a mutation that leaves a valid file) or is refused with a named
/// <see cref="DataException"/>; nothing else is thrown, and no case allocates more than 256 MB (sizes are checked before
/// anything is allocated). Seeded, so that a failure is replayed exactly.
/// </summary>
public class ReaderFuzzTests
{
    const long MemoryBound = 256L << 20;

    static void Holds(string what, Action read)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        try { read(); }
        catch (DataException) { }
        catch (Exception ex) { Assert.Fail($"{what}: {ex.GetType().Name}: {ex.Message}"); }
        long used = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(used < MemoryBound, $"{what}: allocated {used:N0} bytes");
    }

    /// <summary>A copy of <paramref name="bytes"/> with one of the mutations (by <paramref name="kind"/>).</summary>
    static byte[] Mutate(byte[] bytes, Random rng, int kind, int header)
    {
        var b = (byte[])bytes.Clone();
        switch (kind % 5)
        {
            case 0: b[rng.Next(Math.Min(header, b.Length))] ^= (byte)(1 << rng.Next(8)); return b;                       // a header bit
            case 1: return b[..rng.Next(b.Length)];                                                                         // truncated
            case 2: return [.. b, .. Enumerable.Range(0, 1 + rng.Next(100)).Select(_ => (byte)rng.Next(256))];             // bytes appended
            case 3:                                                                                                          // a size made huge
                int at = 4 * rng.Next(1, Math.Max(2, header / 4));
                if (at + 4 <= b.Length) System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(at), rng.Next(2) == 0 ? int.MaxValue : rng.Next(1 << 20, int.MaxValue));
                return b;
            default: for (int i = 0; i < 1 + rng.Next(8); i++) b[rng.Next(b.Length)] = (byte)rng.Next(256); return b;   // anywhere
        }
    }

    [Fact]
    public void IdxReadersNameEveryBrokenFile()
    {
        string dir = Fixtures.TempDir();
        var images = Fixtures.IdxImages(6, 28, 28, (i, p) => (byte)(i * 7 + p));
        var labels = Fixtures.IdxLabels(6, i => (byte)(i % 10));
        var rng = new Random(33);
        for (int c = 0; c < 150; c++)
        {
            string ip = Path.Combine(dir, $"i{c}.gz"), lp = Path.Combine(dir, $"l{c}.gz");
            bool rawMutation = c % 3 != 2;   // mutate the IDX bytes and compress them, or mutate the .gz itself
            File.WriteAllBytes(ip, rawMutation ? Fixtures.Gzip(Mutate(images, rng, c, 16)) : Mutate(Fixtures.Gzip(images), rng, c, 20));
            File.WriteAllBytes(lp, rawMutation ? Fixtures.Gzip(Mutate(labels, rng, c, 8)) : Mutate(Fixtures.Gzip(labels), rng, c, 20));
            Holds($"case {c} images", () => Idx.ReadImages(ip));
            Holds($"case {c} labels", () => Idx.ReadLabels(lp));
        }
    }

    [Fact]
    public void NpyReadersNameEveryBrokenFile()
    {
        string dir = Fixtures.TempDir(), valid = Path.Combine(dir, "valid.npy");
        Npy.WriteArray(valid, new NdArray([3, 4, 5], Enumerable.Range(0, 60).Select(i => (double)i).ToArray()), float32: true);
        var bytes = File.ReadAllBytes(valid);
        var rng = new Random(34);
        string[] headers =
        [
            "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999, 5), }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4, 5), 'descr': '<f8', }",
            "{'descr': '<f4', 'fortran_order':True, 'shape': (3, 4, 5), }",
            "{'descr': '<i4', 'fortran_order': False, 'shape': (3, 4, 5), }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3, -4, 5), }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4, 5) ",
            "{'descr': '<f4', 'shape': (3, 4, 5), }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4, 5), 'extra': 1, }",
        ];
        int c = 0;
        foreach (var h in headers)
        {
            string p = Path.Combine(dir, $"h{c++}.npy");
            var head = System.Text.Encoding.ASCII.GetBytes(h.PadRight(118) + "\n");
            File.WriteAllBytes(p, [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)head.Length, 0, .. head, .. bytes[128..]]);
            Holds($"header {h}", () => Npy.ReadArray(p));
            Assert.Throws<DataException>(() => Npy.ReadArray(p));
            Holds($"header {h} (matrix)", () => Npy.Read(p));
        }
        for (; c < 200; c++)
        {
            string p = Path.Combine(dir, $"m{c}.npy");
            File.WriteAllBytes(p, Mutate(bytes, rng, c, 128));
            Holds($"case {c}", () => Npy.ReadArray(p));
            Holds($"case {c} (matrix)", () => Npy.Read(p));
        }
    }

    [Fact]
    public void CifarReaderNamesEveryBrokenFolderAndArchive()
    {
        var rng = new Random(35);
        var files = Fixtures.CifarBatches(4);
        for (int c = 0; c < 60; c++)
        {
            string root = Fixtures.TempDir();
            var mutated = files.ToDictionary(kv => kv.Key, kv => kv.Value);
            string victim = mutated.Keys.ElementAt(rng.Next(mutated.Count));
            if (c % 2 == 0)
            {
                mutated[victim] = Mutate(mutated[victim], rng, c, 3073);
                string folder = Path.Combine(root, Cifar10.Folder);
                Directory.CreateDirectory(folder);
                foreach (var (name, blob) in mutated) File.WriteAllBytes(Path.Combine(folder, name), blob);
            }
            else
            {
                string tar = Path.Combine(root, Cifar10.Tarball);
                Fixtures.WriteCifarTarball(tar, mutated);
                File.WriteAllBytes(tar, Mutate(File.ReadAllBytes(tar), rng, c, 600));
            }
            Holds($"case {c} training set", () => Cifar10.Load(root, train: true));
            Holds($"case {c} test set", () => Cifar10.Load(root, train: false));
        }
    }

    /// <summary>Run folders and presets with their JSON mutated: hebb eval and hebb reproduce refuse them by name (exit
    /// code 2 or 3), never with an internal error.</summary>
    [Fact]
    public void RunFoldersAndPresetsWithBrokenJsonAreRefused()
    {
        string root = Fixtures.WriteMnistLike(Fixtures.TempDir(), "mnist", 20, 10), run = Path.Combine(root, "run");
        Assert.Equal(0, Fixtures.Hebb(root, "train", "krotov", "--data", root, "--units", "8", "--epochs", "1", "--out", run).Code);
        var options = File.ReadAllBytes(Path.Combine(run, "options.json"));
        var preset = File.ReadAllBytes(Path.Combine(Fixtures.RepoRoot(), "presets", "krotov-mnist.json"));
        string presets = Path.Combine(root, "presets");
        Directory.CreateDirectory(presets);
        var rng = new Random(36);
        for (int c = 0; c < 12; c++)
        {
            File.WriteAllBytes(Path.Combine(run, "options.json"), Mutate(options, rng, c, options.Length));
            var (code, _, err) = Fixtures.Hebb(root, "eval", run, "--data", root, "--epochs", "1");
            Assert.True(code is 0 or 2 or 3, $"eval, case {c}: exit {code}: {err}");
            File.WriteAllBytes(Path.Combine(presets, "p.json"), Mutate(preset, rng, c, preset.Length));
            (code, _, err) = Fixtures.Hebb(root, "reproduce", "p", "--presets", presets, "--quick", "--out", Path.Combine(root, $"rep{c}"));
            Assert.True(code is 0 or 2 or 3 or 4, $"reproduce, case {c}: exit {code}: {err}");
        }
    }
}

using System.Buffers.Binary;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;

namespace Hebb.Tests.Integration;

/// <summary>Small dataset files in the standard formats, written by the tests themselves.</summary>
public static class Fixtures
{
    public static string TempDir()
    {
        string d = Path.Combine(Path.GetTempPath(), "hebb-tests-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(d);
        return d;
    }

    public static byte[] Gzip(byte[] raw)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(raw);
        return ms.ToArray();
    }

    public static byte[] IdxImages(int n, int h, int w, Func<int, int, byte> pixel)
    {
        var b = new byte[16 + n * h * w];
        BinaryPrimitives.WriteInt32BigEndian(b, 0x803);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4), n);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(8), h);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(12), w);
        for (int i = 0; i < n; i++) for (int p = 0; p < h * w; p++) b[16 + i * h * w + p] = pixel(i, p);
        return b;
    }

    public static byte[] IdxLabels(int n, Func<int, byte> label)
    {
        var b = new byte[8 + n];
        BinaryPrimitives.WriteInt32BigEndian(b, 0x801);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4), n);
        for (int i = 0; i < n; i++) b[8 + i] = label(i);
        return b;
    }

    /// <summary>A tiny MNIST-format dataset: digit-like strokes whose position depends on the label, so it is learnable.</summary>
    public static string WriteMnistLike(string root, string name, int trainCount = 600, int testCount = 200)
    {
        string dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        foreach (var (prefix, n, seed) in new[] { ("train", trainCount, 1), ("t10k", testCount, 2) })
        {
            var rng = new Random(seed);
            var labels = Enumerable.Range(0, n).Select(_ => (byte)rng.Next(10)).ToArray();
            File.WriteAllBytes(Path.Combine(dir, $"{prefix}-images-idx3-ubyte.gz"), Gzip(IdxImages(n, 28, 28, (i, p) =>
            {
                int row = p / 28, col = p % 28, l = labels[i];
                bool stroke = Math.Abs(col - (4 + 2 * l)) <= 1 && row >= 4 && row < 24;
                return stroke ? (byte)(200 + rng.Next(56)) : (byte)(rng.Next(10) == 0 ? rng.Next(60) : 0);
            })));
            File.WriteAllBytes(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte.gz"), Gzip(IdxLabels(n, i => labels[i])));
        }
        return root;
    }

    /// <summary>CIFAR-10 binary batches with <paramref name="perBatch"/> records each; pixel = (record + offset) mod 256.</summary>
    public static Dictionary<string, byte[]> CifarBatches(int perBatch)
    {
        var files = new Dictionary<string, byte[]>();
        string[] names = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"];
        for (int f = 0; f < names.Length; f++)
        {
            var b = new byte[perBatch * 3073];
            for (int r = 0; r < perBatch; r++)
            {
                b[r * 3073] = (byte)((r + f) % 10);
                for (int i = 0; i < 3072; i++) b[r * 3073 + 1 + i] = (byte)((r + i) % 256);
            }
            files[names[f]] = b;
        }
        return files;
    }

    public static void WriteCifarTarball(string path, Dictionary<string, byte[]> files)
    {
        using var fs = File.Create(path);
        using var gz = new GZipStream(fs, CompressionLevel.Fastest);
        using var tar = new TarWriter(gz, TarEntryFormat.Pax);
        foreach (var (name, bytes) in files)
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "cifar-10-batches-bin/" + name) { DataStream = new MemoryStream(bytes) });
    }

    /// <summary>A tiny CIFAR-10 tarball in root: 40 + 4 x 8 training and 20 test images whose label (0..2) is the
    /// dominant colour channel, so the colour of the patches tells the class.</summary>
    public static void WriteTinyCifar(string root)
    {
        var rng = new Random(3);
        var files = new Dictionary<string, byte[]>();
        foreach (var (name, count) in new[] { ("data_batch_1.bin", 40), ("data_batch_2.bin", 8), ("data_batch_3.bin", 8), ("data_batch_4.bin", 8), ("data_batch_5.bin", 8), ("test_batch.bin", 20) })
        {
            var b = new byte[count * 3073];
            for (int r = 0; r < count; r++)
            {
                int label = rng.Next(3);
                b[r * 3073] = (byte)label;
                for (int i = 0; i < 3072; i++) b[r * 3073 + 1 + i] = (byte)(i / 1024 == label ? 150 + rng.Next(100) : rng.Next(80));
            }
            files[name] = b;
        }
        WriteCifarTarball(Path.Combine(root, "cifar-10-binary.tar.gz"), files);
    }

    /// <summary>Runs the hebb CLI, asserts that it refused the command line (exit code 2) with
    /// <paramref name="message"/> in its error output, and returns that output.</summary>
    public static string Refused(string workDir, string message, params string[] args)
    {
        var (code, output, err) = Hebb(workDir, args);
        Xunit.Assert.True(code == 2, $"exit code {code}, not 2: {output}{err}");
        Xunit.Assert.Contains(message, err);
        return err;
    }

    /// <summary>Runs the hebb CLI (hebb.dll beside the tests) and returns exit code, stdout and stderr.</summary>
    public static (int Code, string Out, string Err) Hebb(string workDir, params string[] args) =>
        Run("dotnet", workDir, [Path.Combine(AppContext.BaseDirectory, "hebb.dll"), .. args],
            new() { ["HEBB_DATA"] = "", ["HEBB_BACKEND"] = "" });

    /// <summary>Runs <paramref name="file"/> with <paramref name="args"/> (and <paramref name="env"/> over the
    /// environment) and returns exit code, stdout and stderr.</summary>
    public static (int Code, string Out, string Err) Run(string file, string? workDir, IEnumerable<string> args, Dictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (workDir is not null) psi.WorkingDirectory = workDir;
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? []) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The repository's root: the nearest folder above the tests that holds Equivalence.sln.</summary>
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Equivalence.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException($"no Equivalence.sln above {AppContext.BaseDirectory}");
    }
}

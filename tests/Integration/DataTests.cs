using System.IO.Compression;
using System.Net;
using Hebb.Contracts;
using Hebb.Data;
using Xunit;

namespace Hebb.Tests.Integration;

public class IdxTests
{
    [Fact]
    public void ReadsImagesAndLabels()
    {
        string root = Fixtures.WriteMnistLike(Fixtures.TempDir(), "mnist", 30, 10);
        var train = Datasets.Load("mnist", root, train: true);
        var test = Datasets.Load("mnist", root, train: false);
        Assert.Equal((30, 784, 28, 28, 1), (train.Count, train.Images.Cols, train.Height, train.Width, train.Channels));
        Assert.Equal(10, test.Count);
        Assert.All(train.Images.Data, x => Assert.InRange(x, 0f, 1f));
        Assert.All(train.Labels, l => Assert.InRange(l, 0, 9));
    }

    [Fact]
    public void MissingDatasetNamesWhereItLookedAndTheFetchCommand()
    {
        string root = Fixtures.TempDir();
        var ex = Assert.Throws<DataException>(() => Datasets.Load("fashion-mnist", root, train: true));
        Assert.Contains(Path.Combine(root, "fashion-mnist", "train-images-idx3-ubyte.gz"), ex.Message);
        Assert.Contains("hebb data fetch fashion-mnist", ex.Message);
    }

    [Fact]
    public void TruncatedImagesAreRefusedWithTheFileName()
    {
        string root = Fixtures.WriteMnistLike(Fixtures.TempDir(), "mnist", 20, 5);
        string path = Path.Combine(root, "mnist", "train-images-idx3-ubyte.gz");
        var raw = Fixtures.IdxImages(20, 28, 28, (_, _) => 1);
        File.WriteAllBytes(path, Fixtures.Gzip(raw[..^100]));
        var ex = Assert.Throws<DataException>(() => Datasets.Load("mnist", root, train: true));
        Assert.Contains(path, ex.Message);
        Assert.Contains("truncated", ex.Message);
    }

    [Fact]
    public void CutGzipStreamIsRefused()
    {
        string root = Fixtures.WriteMnistLike(Fixtures.TempDir(), "mnist", 20, 5);
        string path = Path.Combine(root, "mnist", "t10k-labels-idx1-ubyte.gz");
        var gz = File.ReadAllBytes(path);
        File.WriteAllBytes(path, gz[..(gz.Length / 2)]);
        var ex = Assert.Throws<DataException>(() => Datasets.Load("mnist", root, train: false));
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void WrongMagicIsRefused()
    {
        string root = Fixtures.WriteMnistLike(Fixtures.TempDir(), "mnist", 20, 5);
        string path = Path.Combine(root, "mnist", "train-labels-idx1-ubyte.gz");
        File.WriteAllBytes(path, Fixtures.Gzip(Fixtures.IdxImages(20, 1, 1, (_, _) => 0)));
        var ex = Assert.Throws<DataException>(() => Datasets.Load("mnist", root, train: true));
        Assert.Contains("magic number 0x00000803", ex.Message);
    }

    [Fact]
    public void NotGzipIsRefused()
    {
        string root = Fixtures.WriteMnistLike(Fixtures.TempDir(), "mnist", 20, 5);
        string path = Path.Combine(root, "mnist", "train-images-idx3-ubyte.gz");
        File.WriteAllText(path, "<html>not found</html>");
        var ex = Assert.Throws<DataException>(() => Datasets.Load("mnist", root, train: true));
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void TheRealMnistWhenPresent()
    {
        string root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/datasets"));
        if (!File.Exists(Path.Combine(root, "mnist", "train-images-idx3-ubyte.gz"))) return; // not on this machine
        var test = Datasets.Load("mnist", root, train: false);
        Assert.Equal(10000, test.Count);
        Assert.Equal(7, test.Labels[0]); // the first test digit is a 7
    }
}

public class CifarTests
{
    [Fact]
    public void ReadsTheTarballAndTheExtractedFolderAlike()
    {
        var files = Fixtures.CifarBatches(3);
        string a = Fixtures.TempDir(), b = Fixtures.TempDir();
        Fixtures.WriteCifarTarball(Path.Combine(a, Cifar10.Tarball), files);
        Directory.CreateDirectory(Path.Combine(b, Cifar10.Folder));
        foreach (var (name, bytes) in files) File.WriteAllBytes(Path.Combine(b, Cifar10.Folder, name), bytes);
        var fromTar = Datasets.Load("cifar10", a, train: true);
        var fromDir = Datasets.Load("cifar10", b, train: true);
        Assert.Equal(15, fromTar.Count);
        Assert.Equal(fromTar.Labels, fromDir.Labels);
        Assert.Equal(fromTar.Images.Data, fromDir.Images.Data);
        // record 1 of batch 1: label (1 + 0) % 10, red plane first: pixel i = (1 + i) % 256
        Assert.Equal(1, fromTar.Labels[1]);
        Assert.Equal(2 / 255f, fromTar.Images[1, 1]);
        Assert.Equal((3, 32, 32), (fromTar.Channels, fromTar.Height, fromTar.Width));
        Assert.Equal(3, Datasets.Load("cifar10", a, train: false).Count);
    }

    [Fact]
    public void TruncatedBatchIsRefused()
    {
        var files = Fixtures.CifarBatches(2);
        files["data_batch_3.bin"] = files["data_batch_3.bin"][..5000];
        string root = Fixtures.TempDir();
        Fixtures.WriteCifarTarball(Path.Combine(root, Cifar10.Tarball), files);
        var ex = Assert.Throws<DataException>(() => Datasets.Load("cifar10", root, train: true));
        Assert.Contains("data_batch_3.bin", ex.Message);
        Assert.Contains("truncated", ex.Message);
    }

    [Fact]
    public void MissingBatchInTheArchiveIsNamed()
    {
        var files = Fixtures.CifarBatches(2);
        files.Remove("data_batch_5.bin");
        string root = Fixtures.TempDir();
        Fixtures.WriteCifarTarball(Path.Combine(root, Cifar10.Tarball), files);
        var ex = Assert.Throws<DataException>(() => Datasets.Load("cifar10", root, train: true));
        Assert.Contains("data_batch_5.bin", ex.Message);
    }

    [Fact]
    public void NothingThereSaysWhereAndHow()
    {
        string root = Fixtures.TempDir();
        var ex = Assert.Throws<DataException>(() => Datasets.Load("cifar10", root, train: false));
        Assert.Contains(Path.Combine(root, Cifar10.Tarball), ex.Message);
        Assert.Contains("hebb data fetch cifar10", ex.Message);
    }
}

public class FileFormatTests
{
    [Fact]
    public void NpyRoundTripsAndHasNumPysHeader()
    {
        string path = Path.Combine(Fixtures.TempDir(), "w.npy");
        var m = new Matrix(3, 5, Enumerable.Range(0, 15).Select(i => i * 0.5f - 3).ToArray());
        Npy.Write(path, m);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(0x93, bytes[0]);
        Assert.Equal(0, (10 + bytes[8] + bytes[9] * 256) % 64); // header padded to 64 bytes
        Assert.Contains("'shape': (3, 5)", System.Text.Encoding.ASCII.GetString(bytes, 10, bytes[8]));
        var back = Npy.Read(path);
        Assert.Equal((3, 5), (back.Rows, back.Cols));
        Assert.Equal(m.Data, back.Data);
    }

    [Fact]
    public void TruncatedNpyIsRefused()
    {
        string path = Path.Combine(Fixtures.TempDir(), "w.npy");
        Npy.Write(path, new Matrix(4, 4));
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..^8]);
        var ex = Assert.Throws<DataException>(() => Npy.Read(path));
        Assert.Contains("truncated", ex.Message);
    }

    [Fact]
    public void PngHasValidChunksAndThePixels()
    {
        string path = Path.Combine(Fixtures.TempDir(), "p.png");
        byte[] rgb = [255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9];
        Png.Write(path, 2, 2, rgb);
        var b = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, b[..8]);
        int idatLen = (b[33] << 24) | (b[34] << 16) | (b[35] << 8) | b[36];
        Assert.Equal("IDAT", System.Text.Encoding.ASCII.GetString(b, 37, 4));
        using var z = new ZLibStream(new MemoryStream(b, 41, idatLen), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        z.CopyTo(ms);
        Assert.Equal(new byte[] { 0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 9, 9, 9 }, ms.ToArray());
        // IHDR's CRC, checked against the standard value for this header
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(b, 12, 4));
    }

    [Fact]
    public void ChartsDrawLabelledLines()
    {
        string path = Path.Combine(Fixtures.TempDir(), "c.png");
        Charts.Lines(path, "runs/x: a title long enough to be broken into two lines at the width of the picture, as the run folders make them", "epoch", "error (%)", [new("train", [1, 2, 3, 4], [50, 20, 10, 5]), new("test", [1, 2, 3, 4], [60, 30, 20, double.NaN])]);
        var b = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, b[..4]);
        Assert.Equal(800, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(16)));
        Assert.Equal(500, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(20)));
        Assert.True(b.Length > 5_000, $"{b.Length} bytes: text and lines are drawn");
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, ".*tmp"));
        if (Environment.GetEnvironmentVariable("HEBB_KEEP_PICTURES") is { Length: > 0 } keep) File.Copy(path, Path.Combine(keep, "chart.png"), true);
    }

    [Fact]
    public void FilterGridColoursSigns()
    {
        string path = Path.Combine(Fixtures.TempDir(), "f.png");
        Pictures.FilterGrid(path, new Matrix(2, 4, [1, -1, 0, 0.5f, 0, 0, 0, 0]), 2, 2, 1, 2, 2, scale: 1);
        Assert.True(new FileInfo(path).Length > 50);
    }

    /// <summary>One 1x1 RGB filter (R = 1, G = -1, B = 0.5): signed, zero is grey; as Fig. 1, negatives are black.</summary>
    [Fact]
    public void FilterGridDrawsColourFiltersSignedOrAsFigureOne()
    {
        var w = new Matrix(1, 3, [1f, -1f, 0.5f]);
        var (width, height, rgb) = Pictures.RenderFilterGrid(w, 1, 1, 3, 1, 1, scale: 1);
        Assert.Equal((3, 3), (width, height));
        int o = (1 * width + 1) * 3;   // the pixel inside the 1-pixel gap
        Assert.Equal(new byte[] { 255, 0, 191 }, rgb[o..(o + 3)]);
        (_, _, rgb) = Pictures.RenderFilterGrid(w, 1, 1, 3, 1, 1, scale: 1, negativesBlack: true);
        Assert.Equal(new byte[] { 255, 0, 127 }, rgb[o..(o + 3)]);
    }

    /// <summary>Images are drawn as they are (pixel / 255, not rescaled per image, clamped to [0, 1]); grey ones in
    /// all three colours; one per cell, left to right then down.</summary>
    [Fact]
    public void ImageGridDrawsImagesAsTheyAre()
    {
        var rgbImages = new Matrix(2, 3, [0.2f, 1.5f, 0.5f, 0f, 0f, 1f]);   // two 1x1 RGB images
        var (width, height, rgb) = Pictures.RenderImageGrid(rgbImages, 1, 1, 3, 1, scale: 1);
        Assert.Equal((3, 5), (width, height));
        int top = (width + 1) * 3, below = (3 * width + 1) * 3;   // the second image's cell starts after the first's and a gap
        Assert.Equal(new byte[] { 51, 255, 128 }, rgb[top..(top + 3)]);
        Assert.Equal(new byte[] { 0, 0, 255 }, rgb[below..(below + 3)]);
        (width, _, rgb) = Pictures.RenderImageGrid(new Matrix(2, 1, [0.4f, 0.6f]), 1, 1, 1, 2, scale: 1);
        Assert.Equal(5, width);
        int left = (width + 1) * 3;   // the first image, the gap, the second image
        Assert.Equal(new byte[] { 102, 102, 102, 64, 64, 64, 153, 153, 153 }, rgb[left..(left + 9)]);
        Assert.Equal("channels", Assert.Throws<ArgumentOutOfRangeException>(() => Pictures.RenderImageGrid(new Matrix(1, 2), 1, 1, 2, 1)).ParamName);
        Assert.Equal("images", Assert.Throws<ArgumentException>(() => Pictures.RenderImageGrid(new Matrix(1, 4), 1, 1, 3, 1)).ParamName);
    }
}

public sealed class FetchTests : IDisposable
{
    readonly HttpListener _server;
    readonly Dictionary<string, byte[]> _files = new();
    readonly string _base;
    readonly Task _loop;

    public FetchTests()
    {
        // A port the system says is free, and a fresh listener for each attempt (a listener whose Start failed
        // cannot be started again): another process may take the port between the two.
        int port = 0;
        HttpListener? server = null;
        for (int attempt = 0; attempt < 20 && server is null; attempt++)
        {
            var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var candidate = new HttpListener();
            candidate.Prefixes.Add($"http://127.0.0.1:{port}/");
            try { candidate.Start(); server = candidate; }
            catch (HttpListenerException) { candidate.Close(); }
        }
        _server = server ?? throw new InvalidOperationException("no free port on 127.0.0.1 for the test server after 20 attempts");
        _base = $"http://127.0.0.1:{port}/";
        _loop = Task.Run(async () =>
        {
            while (_server.IsListening)
            {
                HttpListenerContext ctx;
                try { ctx = await _server.GetContextAsync(); } catch { return; }
                string name = ctx.Request.Url!.AbsolutePath.TrimStart('/');
                if (_files.TryGetValue(name, out var body)) { ctx.Response.StatusCode = 200; await ctx.Response.OutputStream.WriteAsync(body); }
                else ctx.Response.StatusCode = 404;
                ctx.Response.Close();
            }
        });
    }

    // Close alone: after Stop, Close looks the endpoint up again and binds its port anew, which fails when
    // another socket has taken the port in between (seen as a flaky "Address already in use").
    public void Dispose() => _server.Close();

    static string Md5(byte[] b) => Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(b));

    [Fact]
    public async Task DownloadsAndChecksTheChecksum()
    {
        _files["a.gz"] = [1, 2, 3];
        var manifest = new Manifest("toy", "http://unused/", [new RemoteFile("a.gz", "toy/a.gz", Md5([1, 2, 3]))]);
        string root = Fixtures.TempDir();
        var log = new List<string>();
        await Fetch.RunAsync(manifest, root, _base, log.Add);
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(Path.Combine(root, "toy", "a.gz")));
        await Fetch.RunAsync(manifest, root, _base, log.Add);
        Assert.Contains(log, l => l.Contains("present, checksum ok"));
    }

    [Fact]
    public async Task WrongChecksumWritesNothing()
    {
        _files["a.gz"] = [9, 9];
        var manifest = new Manifest("toy", "http://unused/", [new RemoteFile("a.gz", "toy/a.gz", Md5([1, 2, 3]))]);
        string root = Fixtures.TempDir();
        var ex = await Assert.ThrowsAsync<DataException>(() => Fetch.RunAsync(manifest, root, _base, _ => { }));
        Assert.Contains("checksum", ex.Message);
        Assert.False(File.Exists(Path.Combine(root, "toy", "a.gz")));
        Assert.Empty(Directory.GetFiles(Path.Combine(root, "toy")));
    }

    [Fact]
    public async Task MissingOnTheServerIsAnError()
    {
        var manifest = new Manifest("toy", "http://unused/", [new RemoteFile("nope.gz", "toy/nope.gz", "00")]);
        var ex = await Assert.ThrowsAsync<DataException>(() => Fetch.RunAsync(manifest, Fixtures.TempDir(), _base, _ => { }));
        Assert.Contains("404", ex.Message);
    }

    /// <summary>A --url that is not an http(s) address is refused by name before anything is made (it crashed with
    /// HttpClient's "invalid request URI", after making the dataset's folder).</summary>
    [Theory]
    [InlineData("notaurl")]
    [InlineData("ftp://example.org/mnist/")]
    public void ANonHttpUrlIsRefused(string url)
    {
        string root = Fixtures.TempDir();
        Fixtures.Refused(root, $"--url {url}: an absolute http:// or https:// address is required", "data", "fetch", "mnist", "--url", url, "--data", root);
        Assert.False(Directory.Exists(Path.Combine(root, "mnist")));
    }

    [Fact]
    public void TheCliFetchesMnistFromALocalServer()
    {
        // The real MNIST files (their official checksums) served from 127.0.0.1, when this machine has them.
        string shared = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/datasets/mnist"));
        if (!Directory.Exists(shared)) return;
        foreach (var f in Directory.GetFiles(shared)) _files[Path.GetFileName(f)] = File.ReadAllBytes(f);
        string root = Fixtures.TempDir();
        var (code, output, err) = Fixtures.Hebb(root, "data", "fetch", "mnist", "--url", _base, "--data", root);
        Assert.True(code == 0, output + err);
        Assert.Equal(4, Directory.GetFiles(Path.Combine(root, "mnist")).Length);
        Assert.Contains("ready", output);
    }
}

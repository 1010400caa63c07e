using System.Security.Cryptography;

namespace Hebb.Data;

/// <summary><c>hebb data fetch NAME</c>: downloads into the data folder, checks each MD5, writes nothing partial.</summary>
public static class Fetch
{
    public static readonly Manifest[] Known =
    [
        new("mnist", "https://ossci-datasets.s3.amazonaws.com/mnist/",
        [
            new("train-images-idx3-ubyte.gz", "mnist/train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
            new("train-labels-idx1-ubyte.gz", "mnist/train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
            new("t10k-images-idx3-ubyte.gz", "mnist/t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
            new("t10k-labels-idx1-ubyte.gz", "mnist/t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
        ]),
        new("fashion-mnist", "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        [
            new("train-images-idx3-ubyte.gz", "fashion-mnist/train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
            new("train-labels-idx1-ubyte.gz", "fashion-mnist/train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
            new("t10k-images-idx3-ubyte.gz", "fashion-mnist/t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
            new("t10k-labels-idx1-ubyte.gz", "fashion-mnist/t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
        ]),
        new("cifar10", "https://www.cs.toronto.edu/~kriz/",
        [
            new("cifar-10-binary.tar.gz", "cifar-10-binary.tar.gz", "c32a1d4ab5d03f1284b67883e8d87530"),
        ]),
    ];

    public static Manifest Find(string name) =>
        Known.FirstOrDefault(m => m.Dataset == name)
        ?? throw new ArgumentOutOfRangeException(nameof(name), name, $"dataset must be one of {string.Join(", ", Known.Select(k => k.Dataset))}");

    /// <summary>
    /// Downloads every file of <paramref name="manifest"/> (from <paramref name="baseUrl"/> when given) into
    /// <paramref name="root"/>. A file already present with the right MD5 is kept. Each download goes to a
    /// temporary file that is moved into place only once its MD5 matches.
    /// </summary>
    public static async Task RunAsync(Manifest manifest, string root, string? baseUrl, Action<string> log, HttpClient? client = null)
    {
        string from = baseUrl ?? manifest.BaseUrl;
        if (!from.EndsWith('/')) from += "/";
        using var owned = client is null ? new HttpClient { Timeout = TimeSpan.FromMinutes(30) } : null;
        var http = client ?? owned!;
        foreach (var f in manifest.Files)
        {
            string target = Path.Combine(root, f.Target);
            if (File.Exists(target) && Md5(target) == f.Md5) { log($"{f.Target}: present, checksum ok"); continue; }
            string url = from + f.Name;
            log($"{f.Target}: downloading {url}");
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            string tmp = target + ".part";
            try
            {
                using (var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead))
                {
                    if (!response.IsSuccessStatusCode)
                        throw new DataException($"{url}: the server answered {(int)response.StatusCode} {response.ReasonPhrase}; nothing was written to {target}");
                    await using var fs = File.Create(tmp);
                    await response.Content.CopyToAsync(fs);
                }
                string md5 = Md5(tmp);
                if (md5 != f.Md5)
                    throw new DataException($"{url}: checksum {md5}, expected {f.Md5}; the download was discarded and nothing was written to {target}");
                File.Move(tmp, target, overwrite: true);
                log($"{f.Target}: ok ({new FileInfo(target).Length:N0} bytes, md5 {md5})");
            }
            catch (HttpRequestException ex)
            {
                throw new DataException($"{url}: {ex.Message}; nothing was written to {target}");
            }
            finally
            {
                if (File.Exists(tmp)) File.Delete(tmp);
            }
        }
    }

    public static string Md5(string path)
    {
        using var fs = File.OpenRead(path);
        return Convert.ToHexStringLower(MD5.HashData(fs));
    }
}

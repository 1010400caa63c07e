using Hebb.Data;

namespace Hebb.Cli;

/// <summary><c>hebb data fetch NAME</c>.</summary>
static class DataCommand
{
    public const string Help = """
        hebb data fetch mnist|fashion-mnist|cifar10 [--url BASE] [--data DIR]
          Downloads a dataset from its official address (or BASE) into the data folder ($HEBB_DATA, else
          ./data) and checks every file's MD5; a file is moved into place only once its checksum matches.
        """;

    public static int Run(Args a)
    {
        if (a.Positional.Count < 3 || a.Positional[1] != "fetch")
            throw new UsageException("data: usage is hebb data fetch NAME (NAME: " + string.Join(", ", Fetch.Known.Select(k => k.Dataset)) + ")");
        string name = a.Positional[2];
        var manifest = Fetch.Known.FirstOrDefault(m => m.Dataset == name)
            ?? throw new UsageException($"data fetch {name}: unknown dataset; available: {string.Join(", ", Fetch.Known.Select(k => k.Dataset))}");
        string root = DataRoot.Resolve(a.Str("data"));
        string? url = a.Str("url");
        a.RejectUnknown("data fetch");
        if (url is not null && !(Uri.TryCreate(url, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps)))
            throw new UsageException($"--url {url}: an absolute http:// or https:// address is required (the folder that holds the dataset's files)");
        // The folder it downloads into, refused before any download where it cannot be made or written.
        Args.OutputFolder(Path.GetDirectoryName(Path.Combine(root, manifest.Files[0].Target))!, a.Str("data") is null ? "the data folder" : "--data");
        Fetch.RunAsync(manifest, root, url, Console.WriteLine).GetAwaiter().GetResult();
        Console.WriteLine($"{name}: ready in {root}");
        return 0;
    }
}

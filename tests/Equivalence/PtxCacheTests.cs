using Hebb.Accelerated.Backends.Cuda;
using Xunit;

namespace Hebb.Tests.Equivalence;

/// <summary>The cuda backend's PTX cache, without a GPU: the compiler is a counter that returns fixed bytes.</summary>
public sealed class PtxCacheTests : IDisposable
{
    readonly string _folder = Path.Combine(Path.GetTempPath(), "hebb-ptx-" + Guid.NewGuid().ToString("N")[..8]);
    int _compiles;

    byte[] Compile()
    {
        _compiles++;
        return [.. "// PTX\n.version 8.0\n"u8, 0];
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void CompilesOnceThenReadsTheFile()
    {
        var first = PtxCache.Get(_folder, "source", "compute_90", Compile);
        var second = PtxCache.Get(_folder, "source", "compute_90", Compile);
        Assert.Equal(1, _compiles);
        Assert.Equal(first, second);
        Assert.Equal(first, File.ReadAllBytes(PtxCache.FileFor(_folder, "source", "compute_90")));
        Assert.Single(Directory.GetFiles(_folder));
    }

    [Fact]
    public void AnotherSourceOrArchitectureIsAnotherFile()
    {
        PtxCache.Get(_folder, "source", "compute_90", Compile);
        PtxCache.Get(_folder, "source 2", "compute_90", Compile);
        PtxCache.Get(_folder, "source", "compute_80", Compile);
        Assert.Equal(3, _compiles);
        Assert.Equal(3, Directory.GetFiles(_folder).Length);
    }

    [Theory]
    [InlineData(0)]   // an empty file: the run was cut off before it wrote anything
    [InlineData(10)]  // cut off mid-write: the terminating zero is missing
    public void AFileThatIsNotWholeIsCompiledAgainAndReplaced(int keep)
    {
        var whole = PtxCache.Get(_folder, "source", "compute_90", Compile);
        string file = PtxCache.FileFor(_folder, "source", "compute_90");
        File.WriteAllBytes(file, whole[..keep]);
        var again = PtxCache.Get(_folder, "source", "compute_90", Compile);
        Assert.Equal(2, _compiles);
        Assert.Equal(whole, again);
        Assert.Equal(whole, File.ReadAllBytes(file));
    }

    [Fact]
    public void FreshIgnoresTheFileAndReplacesIt()
    {
        string file = PtxCache.FileFor(_folder, "source", "compute_90");
        Directory.CreateDirectory(_folder);
        File.WriteAllBytes(file, [.. "refused by the driver"u8, 0]);
        var ptx = PtxCache.Get(_folder, "source", "compute_90", Compile, fresh: true);
        Assert.Equal(1, _compiles);
        Assert.Equal(ptx, File.ReadAllBytes(file));
    }

    [Fact]
    public void AFolderThatCannotBeWrittenCostsOnlyTheCompilation()
    {
        // A folder under a regular file cannot be made, whoever runs the test (root included).
        Directory.CreateDirectory(_folder);
        string blocker = Path.Combine(_folder, "file");
        File.WriteAllText(blocker, "");
        string folder = Path.Combine(blocker, "cuda");
        var first = PtxCache.Get(folder, "source", "compute_90", Compile);
        var second = PtxCache.Get(folder, "source", "compute_90", Compile);
        Assert.Equal(2, _compiles);
        Assert.Equal(first, second);
        Assert.Single(Directory.GetFiles(_folder));
    }
}

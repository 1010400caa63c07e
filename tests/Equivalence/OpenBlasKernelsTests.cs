using System.Runtime.InteropServices;
using Hebb.Accelerated;
using Hebb.Accelerated.Backends.Cpu;
using Xunit;

namespace Hebb.Tests.Equivalence;

/// <summary>OpenBLAS's kernels: the rule that replaces a choice without AVX, and the library as this process loaded it.</summary>
public class OpenBlasKernelsTests
{
    [Theory]
    [InlineData("Prescott", null, "SkylakeX", "SkylakeX")]    // Debian 12's OpenBLAS on a Xeon model it does not know
    [InlineData("prescott", "", "Haswell", "Haswell")]        // names compared as OpenBLAS compares them; an empty setting is none
    [InlineData("Nehalem", null, "Haswell", "Haswell")]
    [InlineData("Core2", null, "SkylakeX", "SkylakeX")]
    [InlineData("Prescott", "Prescott", "SkylakeX", null)]    // the user asked for these kernels
    [InlineData("Prescott", "Haswell", "SkylakeX", null)]     // ... or for others: OpenBLAS has already read it
    [InlineData("Prescott", null, null, null)]                // the CPU runs nothing better
    [InlineData("Haswell", null, "SkylakeX", null)]           // a choice with AVX is OpenBLAS's own decision
    [InlineData("Zen", null, "SkylakeX", null)]
    [InlineData("SkylakeX", null, "SkylakeX", null)]
    [InlineData("Cooperlake", null, "SkylakeX", null)]
    [InlineData("SomeFutureCore", null, "SkylakeX", null)]    // an unknown name is not assumed to be weak
    [InlineData(null, null, "SkylakeX", null)]                // a BLAS that does not say which kernels it runs
    public void ReplacesOnlyAChoiceWithoutAvxTheUserDidNotMake(string? chose, string? userSetting, string? best, string? expected) =>
        Assert.Equal(expected, OpenBlasKernels.Replacement(chose, userSetting, best));

    [Fact]
    public void TheBestKernelsNeedTheInstructionsTheyUse()
    {
        var best = OpenBlasKernels.Best();
        if (best == "SkylakeX") Assert.True(System.Runtime.Intrinsics.X86.Avx512BW.IsSupported);
        else if (best == "Haswell") Assert.True(System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported);
        else Assert.Null(best);
    }

    /// <summary>The library this process uses: on a CPU with AVX2 and FMA it never runs kernels without AVX unless
    /// the user asked for them, it says which kernels run and whether the user chose them, and it leaves
    /// OPENBLAS_CORETYPE as it found it.</summary>
    [OpenBlasFact]
    public void TheLoadedLibraryRunsKernelsThisCpuCanUse()
    {
        string? before = Environment.GetEnvironmentVariable(OpenBlasKernels.Variable);
        var blas = OpenBlasGemm.TryLoad(out _)!;
        Assert.Same(blas, OpenBlasGemm.TryLoad(out _));
        Assert.Equal(before, NativeValue(OpenBlasKernels.Variable));
        if (blas.Kernels is null) return;   // a BLAS that does not say (not OpenBLAS)
        Assert.Contains(blas.Kernels + " kernels", blas.Name);
        // Kernels the user's OPENBLAS_CORETYPE chose are named as such (a workplace may set it for every process).
        Assert.Equal(!string.IsNullOrEmpty(before), blas.Name.Contains(OpenBlasKernels.Variable + "="));
        // Only an OpenBLAS built with DYNAMIC_ARCH (Debian's) carries other kernels to switch to.
        if (string.IsNullOrEmpty(before) && OpenBlasKernels.Best() is not null && blas.Config?.Contains("DYNAMIC_ARCH") == true)
            Assert.Null(OpenBlasKernels.Replacement(blas.Kernels, null, OpenBlasKernels.Best()));
    }

    [Fact]
    public void TheNativeEnvironmentIsSetAndRestored()
    {
        const string name = "HEBB_TEST_NATIVE_VARIABLE";
        Assert.Null(NativeValue(name));
        OpenBlasKernels.SetNative(name, "SkylakeX");
        try { Assert.Equal("SkylakeX", NativeValue(name)); }
        finally { OpenBlasKernels.SetNative(name, null); }
        Assert.Null(NativeValue(name));
    }

    /// <summary>Only OpenBLAS is taken for the cpu backend's GEMM: a library without cblas_sgemm, or a BLAS that is not
    /// OpenBLAS (Debian's reference libblas3 answers to libblas.so.3 where OpenBLAS is not installed, and multiplies
    /// at about 4 GFLOP/s), is refused with its name and the reason.</summary>
    [Theory]
    [InlineData("libblas.so.3", true, false, "libblas.so.3 is not OpenBLAS")]
    [InlineData("libfoo.so", false, false, "libfoo.so has no cblas_sgemm")]
    [InlineData("libfoo.so", false, true, "libfoo.so has no cblas_sgemm")]
    [InlineData("libopenblas.so.0", true, true, null)]
    [InlineData("libblas.so.3", true, true, null)]   // Debian's alternative pointing at OpenBLAS
    public void OnlyOpenBlasIsTaken(string lib, bool hasSgemm, bool isOpenBlas, string? refusal)
    {
        string? why = OpenBlasGemm.Unusable(lib, hasSgemm, isOpenBlas);
        if (refusal is null) Assert.Null(why);
        else Assert.StartsWith(refusal, why);
    }

    /// <summary>The library loaded is OpenBLAS: it reports its build (what Unusable checks for).</summary>
    [OpenBlasFact]
    public void TheLoadedLibraryIsOpenBlas() => Assert.NotNull(OpenBlasGemm.TryLoad(out _)!.Config);

    static string? NativeValue(string name) => Marshal.PtrToStringUTF8(getenv(name));

    [DllImport("libc")]
    static extern nint getenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
}

/// <summary>Skips the fact, with the reason, where OpenBLAS cannot be loaded.</summary>
public sealed class OpenBlasFactAttribute : FactAttribute
{
    public OpenBlasFactAttribute()
    {
        if (BackendSelector.OpenBlasMissing() is { } why) Skip = "cpu (OpenBLAS) backend not present: " + why;
    }
}

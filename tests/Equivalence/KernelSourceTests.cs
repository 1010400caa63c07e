using System.Diagnostics;
using Hebb.Accelerated.Backends.Device;
using Xunit;

namespace Hebb.Tests.Equivalence;

/// <summary>
/// The kernel source's CUDA branch, checked without a GPU: the prelude's CUDA macros are compiled as C++ by g++
/// against a stub of CUDA's built-in variables and qualifiers (NVRTC compiles C++ too). The OpenCL branch is
/// compiled for real by the opencl equivalence cases.
/// </summary>
public class KernelSourceTests
{
    const string CudaStub = """
        #include <cmath>
        struct hebb_uint3 { unsigned x, y, z; };
        extern hebb_uint3 threadIdx, blockIdx, blockDim;
        #define __global__
        #define __shared__ static
        inline void __syncthreads() {}
        """;

    [GxxFact]
    public void TheCudaBranchCompilesAsCxx()
    {
        string dir = Path.Combine(Path.GetTempPath(), "hebb-kernels-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        string file = Path.Combine(dir, "kernels.cu.cpp");
        File.WriteAllText(file, CudaStub + "\n" + KernelSource.All());
        var psi = new ProcessStartInfo("g++", ["-std=c++14", "-fsyntax-only", "-Wall", "-Werror", "-Wno-unused-variable", file])
        { RedirectStandardError = true, RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, err);
    }

    [Fact]
    public void EveryKernelFileIsEmbedded()
    {
        string all = KernelSource.All();
        foreach (var k in new[] { "KERNEL void gemm(", "KERNEL void krotov_rank(", "KERNEL void adam(", "KERNEL void softmax_ce(" })
            Assert.Contains(k, all);
    }
}

/// <summary>Skips the test, with the reason, where g++ is not installed.</summary>
public sealed class GxxFactAttribute : FactAttribute
{
    public GxxFactAttribute()
    {
        bool found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, "g++")));
        if (!found) Skip = "g++ not found: the CUDA branch of the kernels is not syntax-checked here";
    }
}

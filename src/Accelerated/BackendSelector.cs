using Hebb.Accelerated.Backends.Cpu;
using Hebb.Contracts;

namespace Hebb.Accelerated;

/// <summary>
/// Backend selection: <c>auto | cpu | cpu-managed | opencl | cuda</c>. A backend that cannot start is an
/// error that says why; there is no silent fallback between backends. Within <c>cpu</c>, GEMM goes
/// through OpenBLAS when the library is present and through the managed SIMD GEMM otherwise (the
/// engine's <see cref="IEngine.Name"/> says which); <c>cpu-managed</c> asks for the managed GEMM.
/// <c>auto</c> prefers cuda, then an OpenCL GPU, then cpu.
/// </summary>
public static class BackendSelector
{
    public static readonly string[] Names = ["auto", "cpu", "cpu-managed", "opencl", "cuda"];

    /// <summary>Makes the engine for <paramref name="backend"/> (and <paramref name="device"/>, for opencl), or throws
    /// NotSupportedException with the reason it cannot start.</summary>
    public static IEngine Create(string backend, string? device = null)
    {
        switch (backend)
        {
            case "auto":
                if (CudaAvailable(out _)) return Create("cuda", device);
                try
                {
                    if (Backends.OpenCl.OpenClDevice.List().Any(d => d.Gpu)) return Create("opencl", device);
                }
                catch (NotSupportedException) { }
                return Create("cpu");
            case "cpu":
                var blas = OpenBlasGemm.TryLoad(out _);
                return new CpuEngine(blas is null ? new ManagedGemm() : blas);
            case "cpu-managed":
                return new CpuEngine(new ManagedGemm());
            case "opencl":
                return new Backends.Device.DeviceEngine(Backends.OpenCl.OpenClDevice.Open(device), "opencl");
            case "cuda":
                return new Backends.Device.DeviceEngine(Backends.Cuda.CudaDevice.Open(device), "cuda");
            default:
                throw new ArgumentOutOfRangeException(nameof(backend), backend, $"backend must be one of {string.Join(", ", Names)}");
        }
    }

    /// <summary>Whether the CUDA backend can start here (a driver and a device), and why not.</summary>
    public static bool CudaAvailable(out string why) => Backends.Cuda.CudaDevice.Available(out why);

    /// <summary>Why OpenBLAS is not in use, or null when it is.</summary>
    public static string? OpenBlasMissing()
    {
        var blas = OpenBlasGemm.TryLoad(out var why);
        return blas is null ? why : null;
    }
}

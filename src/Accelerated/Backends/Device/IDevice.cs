using System.Reflection;

namespace Hebb.Accelerated.Backends.Device;

/// <summary>A buffer in a device's memory; its length is in 4-byte elements (float or int).</summary>
public abstract class DeviceBuffer(int length) : IDisposable
{
    public int Length { get; } = length;
    public abstract void Dispose();
}

/// <summary>A kernel argument: a buffer, an int or a float.</summary>
public readonly record struct Arg(DeviceBuffer? Buffer, int Int, float Float, char Kind)
{
    public static implicit operator Arg(DeviceBuffer b) => new(b, 0, 0, 'b');
    public static implicit operator Arg(int i) => new(null, i, 0, 'i');
    public static implicit operator Arg(float f) => new(null, 0, f, 'f');
}

/// <summary>
/// What the GPU backends share: buffers, copies, launches of the kernels in Kernels/*.cl (compiled from one
/// source for OpenCL and CUDA), and a GEMM. Launch sizes are in work-items; the device rounds them up to whole
/// work-groups, and every kernel checks its bounds.
/// </summary>
public interface IDevice : IDisposable
{
    string Name { get; }
    DeviceBuffer Alloc(int length);
    void Write(DeviceBuffer buffer, ReadOnlySpan<float> data);
    void Write(DeviceBuffer buffer, ReadOnlySpan<int> data);
    void Read(DeviceBuffer buffer, Span<float> data);
    void Read(DeviceBuffer buffer, Span<int> data);
    void Launch(string kernel, int globalX, int globalY, int localX, int localY, params Arg[] args);
    /// <summary>Row-major C = alpha op(A) op(B) + beta C, as <see cref="Cpu.IGemm"/>.</summary>
    void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, DeviceBuffer a, int lda, DeviceBuffer b, int ldb, float beta, DeviceBuffer c, int ldc);
    /// <summary>Waits until everything queued on the device has finished.</summary>
    void Finish();
}

/// <summary>The kernel sources, embedded in this assembly: the prelude, then every .cl file.</summary>
public static class KernelSource
{
    public static readonly string[] Files = ["gemm.cl", "krotov.cl", "top.cl", "probe.cl", "conv.cl"];

    public static string All()
    {
        var asm = typeof(KernelSource).Assembly;
        return string.Join("\n", new[] { "prelude.h" }.Concat(Files).Select(f => Read(asm, f)));
    }

    static string Read(Assembly asm, string file)
    {
        using var s = asm.GetManifestResourceStream("Hebb.Kernels." + file)
            ?? throw new InvalidOperationException($"kernel source {file} is not embedded in {asm.GetName().Name}");
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }
}

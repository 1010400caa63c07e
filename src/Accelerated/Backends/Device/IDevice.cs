namespace Hebb.Accelerated.Backends.Device;

/// <summary>
/// What the GPU backends share: buffers, copies, launches of the kernels of KernelSource (every rule's .cl, compiled from one
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

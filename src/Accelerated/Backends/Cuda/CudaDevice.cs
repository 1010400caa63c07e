using System.Runtime.InteropServices;
using System.Text;
using Hebb.Accelerated.Backends.Device;

namespace Hebb.Accelerated.Backends.Cuda;

/// <summary>
/// The CUDA backend: the driver API (libcuda.so.1), NVRTC compiling the same kernel sources as OpenCL at run
/// time (PTX cached per device architecture and source hash), and cuBLAS for GEMMs in FP32 (TF32 only when
/// HEBB_CUDA_TF32=1). Every entry point is found at run time, so a machine without CUDA gets a clear reason.
/// </summary>
public sealed unsafe class CudaDevice : IDevice
{
    // driver API
    static delegate* unmanaged<uint, int> cuInit;
    static delegate* unmanaged<int*, int> cuDeviceGetCount;
    static delegate* unmanaged<int*, int, int> cuDeviceGet;
    static delegate* unmanaged<byte*, int, int, int> cuDeviceGetName;
    static delegate* unmanaged<int*, int, int, int> cuDeviceGetAttribute;
    static delegate* unmanaged<nint*, int, int> cuDevicePrimaryCtxRetain;
    static delegate* unmanaged<int, int> cuDevicePrimaryCtxRelease;
    static delegate* unmanaged<nint, int> cuCtxSetCurrent;
    static delegate* unmanaged<int> cuCtxSynchronize;
    static delegate* unmanaged<nint*, void*, int> cuModuleLoadData;
    static delegate* unmanaged<nint*, nint, byte*, int> cuModuleGetFunction;
    static delegate* unmanaged<nint, int> cuModuleUnload;
    static delegate* unmanaged<ulong*, nuint, int> cuMemAlloc;
    static delegate* unmanaged<ulong, int> cuMemFree;
    static delegate* unmanaged<ulong, void*, nuint, nint, int> cuMemcpyHtoDAsync;
    static delegate* unmanaged<void*, ulong, nuint, int> cuMemcpyDtoH;
    static delegate* unmanaged<nint, uint, uint, uint, uint, uint, uint, uint, nint, void**, void**, int> cuLaunchKernel;
    // NVRTC
    static delegate* unmanaged<nint*, byte*, byte*, int, byte**, byte**, int> nvrtcCreateProgram;
    static delegate* unmanaged<nint, int, byte**, int> nvrtcCompileProgram;
    static delegate* unmanaged<nint, nuint*, int> nvrtcGetProgramLogSize;
    static delegate* unmanaged<nint, byte*, int> nvrtcGetProgramLog;
    static delegate* unmanaged<nint, nuint*, int> nvrtcGetPTXSize;
    static delegate* unmanaged<nint, byte*, int> nvrtcGetPTX;
    static delegate* unmanaged<nint*, int> nvrtcDestroyProgram;
    // cuBLAS
    static delegate* unmanaged<nint*, int> cublasCreate;
    static delegate* unmanaged<nint, int> cublasDestroy;
    static delegate* unmanaged<nint, int, int> cublasSetMathMode;
    static delegate* unmanaged<nint, int, int, int, int, int, float*, ulong, int, ulong, int, float*, ulong, int, int> cublasSgemm;

    static string? _loadError;
    static bool _loaded;
    static readonly object Gate = new();

    static readonly string[] CudaLibs = ["libcuda.so.1", "libcuda.so"];
    static readonly string[] NvrtcLibs = ["libnvrtc.so", "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2"];
    static readonly string[] CublasLibs = ["libcublas.so", "libcublas.so.13", "libcublas.so.12", "libcublas.so.11"];

    static nint LoadAny(string[] names, string what)
    {
        foreach (var n in names) if (NativeLibrary.TryLoad(n, out var h)) return h;
        throw new NotSupportedException($"{what} not found (looked for {string.Join(", ", names)}; set LD_LIBRARY_PATH to the CUDA libraries)");
    }

    static nint Fn(nint lib, string name) =>
        NativeLibrary.TryGetExport(lib, name, out var f) ? f : throw new NotSupportedException($"the CUDA library lacks {name}");

    static void Load()
    {
        lock (Gate)
        {
            if (_loaded) { if (_loadError is not null) throw new NotSupportedException(_loadError); return; }
            _loaded = true;
            try
            {
                var cu = LoadAny(CudaLibs, "the NVIDIA driver (libcuda.so.1)");
                cuInit = (delegate* unmanaged<uint, int>)Fn(cu, "cuInit");
                cuDeviceGetCount = (delegate* unmanaged<int*, int>)Fn(cu, "cuDeviceGetCount");
                cuDeviceGet = (delegate* unmanaged<int*, int, int>)Fn(cu, "cuDeviceGet");
                cuDeviceGetName = (delegate* unmanaged<byte*, int, int, int>)Fn(cu, "cuDeviceGetName");
                cuDeviceGetAttribute = (delegate* unmanaged<int*, int, int, int>)Fn(cu, "cuDeviceGetAttribute");
                cuDevicePrimaryCtxRetain = (delegate* unmanaged<nint*, int, int>)Fn(cu, "cuDevicePrimaryCtxRetain");
                cuDevicePrimaryCtxRelease = (delegate* unmanaged<int, int>)Fn(cu, "cuDevicePrimaryCtxRelease_v2");
                cuCtxSetCurrent = (delegate* unmanaged<nint, int>)Fn(cu, "cuCtxSetCurrent");
                cuCtxSynchronize = (delegate* unmanaged<int>)Fn(cu, "cuCtxSynchronize");
                cuModuleLoadData = (delegate* unmanaged<nint*, void*, int>)Fn(cu, "cuModuleLoadData");
                cuModuleGetFunction = (delegate* unmanaged<nint*, nint, byte*, int>)Fn(cu, "cuModuleGetFunction");
                cuModuleUnload = (delegate* unmanaged<nint, int>)Fn(cu, "cuModuleUnload");
                cuMemAlloc = (delegate* unmanaged<ulong*, nuint, int>)Fn(cu, "cuMemAlloc_v2");
                cuMemFree = (delegate* unmanaged<ulong, int>)Fn(cu, "cuMemFree_v2");
                cuMemcpyHtoDAsync = (delegate* unmanaged<ulong, void*, nuint, nint, int>)Fn(cu, "cuMemcpyHtoDAsync_v2");
                cuMemcpyDtoH = (delegate* unmanaged<void*, ulong, nuint, int>)Fn(cu, "cuMemcpyDtoH_v2");
                cuLaunchKernel = (delegate* unmanaged<nint, uint, uint, uint, uint, uint, uint, uint, nint, void**, void**, int>)Fn(cu, "cuLaunchKernel");
                var nv = LoadAny(NvrtcLibs, "NVRTC (libnvrtc.so)");
                nvrtcCreateProgram = (delegate* unmanaged<nint*, byte*, byte*, int, byte**, byte**, int>)Fn(nv, "nvrtcCreateProgram");
                nvrtcCompileProgram = (delegate* unmanaged<nint, int, byte**, int>)Fn(nv, "nvrtcCompileProgram");
                nvrtcGetProgramLogSize = (delegate* unmanaged<nint, nuint*, int>)Fn(nv, "nvrtcGetProgramLogSize");
                nvrtcGetProgramLog = (delegate* unmanaged<nint, byte*, int>)Fn(nv, "nvrtcGetProgramLog");
                nvrtcGetPTXSize = (delegate* unmanaged<nint, nuint*, int>)Fn(nv, "nvrtcGetPTXSize");
                nvrtcGetPTX = (delegate* unmanaged<nint, byte*, int>)Fn(nv, "nvrtcGetPTX");
                nvrtcDestroyProgram = (delegate* unmanaged<nint*, int>)Fn(nv, "nvrtcDestroyProgram");
                var bl = LoadAny(CublasLibs, "cuBLAS (libcublas.so)");
                cublasCreate = (delegate* unmanaged<nint*, int>)Fn(bl, "cublasCreate_v2");
                cublasDestroy = (delegate* unmanaged<nint, int>)Fn(bl, "cublasDestroy_v2");
                cublasSetMathMode = (delegate* unmanaged<nint, int, int>)Fn(bl, "cublasSetMathMode");
                cublasSgemm = (delegate* unmanaged<nint, int, int, int, int, int, float*, ulong, int, ulong, int, float*, ulong, int, int>)Fn(bl, "cublasSgemm_v2");
                int err = cuInit(0);
                if (err != 0) throw new NotSupportedException($"cuInit failed with CUDA error {err} (no usable NVIDIA GPU or driver)");
                int count;
                Ok(cuDeviceGetCount(&count), "cuDeviceGetCount");
                if (count == 0) throw new NotSupportedException("the NVIDIA driver reports no CUDA device");
            }
            catch (NotSupportedException ex)
            {
                _loadError = "CUDA is not available: " + ex.Message;
                throw new NotSupportedException(_loadError);
            }
        }
    }

    /// <summary>Whether the driver, NVRTC, cuBLAS and a device are all present; otherwise why not.</summary>
    public static bool Available(out string why)
    {
        try { Load(); why = ""; return true; }
        catch (NotSupportedException ex) { why = ex.Message; return false; }
    }

    static void Ok(int err, string what)
    {
        if (err != 0) throw new InvalidOperationException($"CUDA {what} failed with error {err}");
    }

    readonly int _ordinal;
    readonly nint _context, _module, _blas;
    readonly Dictionary<string, nint> _functions = new();

    public string Name { get; }

    sealed class CuBuffer(ulong ptr, int length) : DeviceBuffer(length)
    {
        public ulong Ptr { get; private set; } = ptr;
        public override void Dispose()
        {
            if (Ptr != 0) { cuMemFree(Ptr); Ptr = 0; }
        }
    }

    /// <summary>Opens CUDA device <paramref name="select"/> (an ordinal; default 0), or throws with the reason.</summary>
    public static CudaDevice Open(string? select)
    {
        Load();
        int count;
        Ok(cuDeviceGetCount(&count), "cuDeviceGetCount");
        int ordinal = 0;
        if (select is not null && (!int.TryParse(select, out ordinal) || ordinal < 0 || ordinal >= count))
            throw new NotSupportedException($"--device {select}: CUDA devices are numbered 0..{count - 1}");
        return new CudaDevice(ordinal);
    }

    CudaDevice(int ordinal)
    {
        _ordinal = ordinal;
        int dev;
        Ok(cuDeviceGet(&dev, ordinal), "cuDeviceGet");
        var name = new byte[256];
        fixed (byte* n = name) Ok(cuDeviceGetName(n, name.Length, dev), "cuDeviceGetName");
        int major, minor;
        Ok(cuDeviceGetAttribute(&major, 75, dev), "cuDeviceGetAttribute(major)");
        Ok(cuDeviceGetAttribute(&minor, 76, dev), "cuDeviceGetAttribute(minor)");
        Name = $"{Encoding.ASCII.GetString(name).TrimEnd('\0')} (sm_{major}{minor})";
        nint ctx;
        Ok(cuDevicePrimaryCtxRetain(&ctx, dev), "cuDevicePrimaryCtxRetain");
        _context = ctx;
        Ok(cuCtxSetCurrent(ctx), "cuCtxSetCurrent");
        string source = KernelSource.All(), arch = $"compute_{major}{minor}", cache = PtxCache.DefaultFolder();
        nint module;
        int loaded;
        fixed (byte* p = PtxCache.Get(cache, source, arch, () => Compile(source, arch))) loaded = cuModuleLoadData(&module, p);
        // A cached file the driver refuses (damaged on disk, or written by another driver's NVRTC) is compiled again.
        if (loaded != 0)
            fixed (byte* p = PtxCache.Get(cache, source, arch, () => Compile(source, arch), fresh: true)) Ok(cuModuleLoadData(&module, p), "cuModuleLoadData");
        _module = module;
        nint blas;
        Ok(cublasCreate(&blas), "cublasCreate");
        _blas = blas;
        bool tf32 = Environment.GetEnvironmentVariable("HEBB_CUDA_TF32") == "1";
        Ok(cublasSetMathMode(_blas, tf32 ? 3 : 0), "cublasSetMathMode");
        if (tf32) Name += ", TF32 GEMMs";
    }

    /// <summary>PTX for the kernel source, compiled by NVRTC for <paramref name="arch"/> (PtxCache keeps it).</summary>
    static byte[] Compile(string source, string arch)
    {
        nint prog;
        var src = Encoding.UTF8.GetBytes(source + "\0");
        var progName = Encoding.ASCII.GetBytes("hebb.cu\0");
        fixed (byte* s = src) fixed (byte* n = progName) Ok(nvrtcCreateProgram(&prog, s, n, 0, null, null), "nvrtcCreateProgram");
        try
        {
            var opts = new[] { $"--gpu-architecture={arch}\0", "--std=c++14\0" }.Select(Encoding.ASCII.GetBytes).ToArray();
            var handles = opts.Select(o => GCHandle.Alloc(o, GCHandleType.Pinned)).ToArray();
            int err;
            try
            {
                var ptrs = stackalloc byte*[opts.Length];
                for (int i = 0; i < opts.Length; i++) ptrs[i] = (byte*)handles[i].AddrOfPinnedObject();
                err = nvrtcCompileProgram(prog, opts.Length, ptrs);
            }
            finally { foreach (var h in handles) h.Free(); }
            if (err != 0)
            {
                nuint logSize;
                nvrtcGetProgramLogSize(prog, &logSize);
                var log = new byte[(int)logSize + 1];
                fixed (byte* l = log) nvrtcGetProgramLog(prog, l);
                throw new InvalidOperationException($"NVRTC failed to compile the kernels for {arch} (error {err}):\n{Encoding.ASCII.GetString(log).TrimEnd('\0')}");
            }
            nuint size;
            Ok(nvrtcGetPTXSize(prog, &size), "nvrtcGetPTXSize");
            var ptx = new byte[(int)size];
            fixed (byte* p = ptx) Ok(nvrtcGetPTX(prog, p), "nvrtcGetPTX");
            return ptx;
        }
        finally { nvrtcDestroyProgram(&prog); }
    }

    public DeviceBuffer Alloc(int length)
    {
        ulong p;
        Ok(cuMemAlloc(&p, (nuint)(Math.Max(length, 1) * 4L)), $"cuMemAlloc of {length} elements");
        return new CuBuffer(p, length);
    }

    static ulong Ptr(DeviceBuffer b) => ((CuBuffer)b).Ptr;

    public void Write(DeviceBuffer buffer, ReadOnlySpan<float> data) { fixed (float* p = data) Copy(buffer, p, data.Length, toDevice: true); }
    public void Write(DeviceBuffer buffer, ReadOnlySpan<int> data) { fixed (int* p = data) Copy(buffer, p, data.Length, toDevice: true); }
    public void Read(DeviceBuffer buffer, Span<float> data) { fixed (float* p = data) Copy(buffer, p, data.Length, toDevice: false); }
    public void Read(DeviceBuffer buffer, Span<int> data) { fixed (int* p = data) Copy(buffer, p, data.Length, toDevice: false); }

    static void Copy(DeviceBuffer b, void* p, int n, bool toDevice)
    {
        if (n > b.Length) throw new ArgumentException($"copying {n} elements with a buffer of {b.Length}");
        if (n == 0) return;
        // From pageable memory (managed arrays always are) the driver stages the data before it returns, so the
        // caller may reuse its array at once, and the copy is ordered after the work already queued without
        // waiting for it.
        if (toDevice) Ok(cuMemcpyHtoDAsync(Ptr(b), p, (nuint)(n * 4L), 0), "cuMemcpyHtoDAsync");
        else Ok(cuMemcpyDtoH(p, Ptr(b), (nuint)(n * 4L)), "cuMemcpyDtoH");
    }

    nint Function(string name)
    {
        if (_functions.TryGetValue(name, out var f)) return f;
        var bytes = Encoding.ASCII.GetBytes(name + "\0");
        fixed (byte* n = bytes) Ok(cuModuleGetFunction(&f, _module, n), $"cuModuleGetFunction {name}");
        return _functions[name] = f;
    }

    public void Launch(string kernel, int globalX, int globalY, int localX, int localY, params Arg[] args)
    {
        if (globalX <= 0 || globalY <= 0) return;
        nint f = Function(kernel);
        var values = stackalloc ulong[args.Length];
        var pointers = stackalloc void*[args.Length];
        for (int i = 0; i < args.Length; i++)
        {
            var a = args[i];
            switch (a.Kind)
            {
                case 'b': values[i] = Ptr(a.Buffer!); break;
                case 'i': *(int*)&values[i] = a.Int; break;
                default: *(float*)&values[i] = a.Float; break;
            }
            pointers[i] = &values[i];
        }
        uint gx = (uint)((globalX + localX - 1) / localX), gy = (uint)((globalY + localY - 1) / localY);
        Ok(cuLaunchKernel(f, gx, gy, 1, (uint)localX, (uint)localY, 1, 0, 0, pointers, null), $"cuLaunchKernel {kernel}");
    }

    /// <summary>Row-major C = alpha op(A) op(B) + beta C through column-major cuBLAS: C^T = op(B)^T op(A)^T.</summary>
    public void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, DeviceBuffer a, int lda, DeviceBuffer b, int ldb, float beta, DeviceBuffer c, int ldc)
    {
        if (m == 0 || n == 0) return;
        Ok(cublasSgemm(_blas, transB ? 1 : 0, transA ? 1 : 0, n, m, k, &alpha, Ptr(b), Math.Max(ldb, 1), Ptr(a), Math.Max(lda, 1), &beta, Ptr(c), Math.Max(ldc, 1)), "cublasSgemm");
    }

    /// <summary>Waits for the device (kernels and cuBLAS run asynchronously; copies to the host wait by themselves).</summary>
    public void Finish() => Ok(cuCtxSynchronize(), "cuCtxSynchronize");

    public void Dispose()
    {
        if (_blas != 0) cublasDestroy(_blas);
        if (_module != 0) cuModuleUnload(_module);
        if (_context != 0) cuDevicePrimaryCtxRelease(_ordinal);
    }
}

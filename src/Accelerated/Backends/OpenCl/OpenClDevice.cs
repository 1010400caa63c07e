using System.Text;
using Hebb.Accelerated.Backends.Device;

namespace Hebb.Accelerated.Backends.OpenCl;

/// <summary>
/// An OpenCL device (a GPU if there is one, unless <c>--device</c> picks another): buffers stay on it across
/// steps; the kernels (every embedded .cl file, KernelSource) are built once at start, and a build error carries the compiler's log.
/// On PoCL (Debian's pocl-opencl-icd) this runs on the CPU, which is how the kernels are tested without a GPU.
/// </summary>
public sealed unsafe class OpenClDevice : IDevice
{
    readonly nint _context, _queue, _program, _device;
    readonly Dictionary<string, nint> _kernels = new();

    public string Name { get; }

    sealed class ClBuffer(nint mem, int length) : DeviceBuffer(length)
    {
        public nint Mem { get; private set; } = mem;
        public override void Dispose()
        {
            if (Mem != 0) { Cl.clReleaseMemObject(Mem); Mem = 0; }
        }
    }

    OpenClDevice(nint device, string name)
    {
        _device = device;
        Name = name;
        int err;
        nint dev = device;
        _context = Cl.clCreateContext(null, 1, &dev, 0, 0, &err);
        Cl.Ok(err, "clCreateContext");
        _queue = Cl.clCreateCommandQueue(_context, device, 0, &err);
        Cl.Ok(err, "clCreateCommandQueue");
        var src = Encoding.UTF8.GetBytes(KernelSource.All());
        fixed (byte* s = src)
        {
            byte* p = s;
            nuint len = (nuint)src.Length;
            _program = Cl.clCreateProgramWithSource(_context, 1, &p, &len, &err);
            Cl.Ok(err, "clCreateProgramWithSource");
        }
        var options = Encoding.ASCII.GetBytes("-cl-std=CL1.2\0");
        fixed (byte* o = options)
        {
            err = Cl.clBuildProgram(_program, 1, &dev, o, 0, 0);
        }
        if (err != Cl.Success)
        {
            nuint size;
            Cl.clGetProgramBuildInfo(_program, device, Cl.ProgramBuildLog, 0, null, &size);
            var log = new byte[(int)size + 1];
            fixed (byte* l = log) Cl.clGetProgramBuildInfo(_program, device, Cl.ProgramBuildLog, size, l, null);
            throw new InvalidOperationException($"OpenCL build of the kernels failed on {name} (error {err}):\n{Encoding.ASCII.GetString(log).TrimEnd('\0')}");
        }
    }

    /// <summary>Opens a device: <paramref name="select"/> is null (a GPU first, else the first device), an index into
    /// <see cref="List"/>, or a substring of a device's name. Throws with the reason when OpenCL cannot start.</summary>
    public static OpenClDevice Open(string? select)
    {
        var devices = List();
        if (devices.Count == 0)
            throw new NotSupportedException("OpenCL found no device (install an ICD: Debian pocl-opencl-icd for the CPU, or a GPU driver)");
        (nint Id, string Name, bool Gpu) pick;
        if (select is null) pick = devices.FirstOrDefault(d => d.Gpu) is { Id: not 0 } g ? g : devices[0];
        else if (int.TryParse(select, out int i))
            pick = i >= 0 && i < devices.Count ? devices[i] : throw new NotSupportedException($"--device {select}: there are {devices.Count} OpenCL devices (0..{devices.Count - 1}): {string.Join("; ", devices.Select(d => d.Name))}");
        else
            pick = devices.FirstOrDefault(d => d.Name.Contains(select, StringComparison.OrdinalIgnoreCase)) is { Id: not 0 } m ? m
                : throw new NotSupportedException($"--device {select}: no OpenCL device's name contains it; devices: {string.Join("; ", devices.Select(d => d.Name))}");
        return new OpenClDevice(pick.Id, pick.Name);
    }

    /// <summary>Every OpenCL device of every platform, with its name and whether it is a GPU.</summary>
    public static List<(nint Id, string Name, bool Gpu)> List()
    {
        var result = new List<(nint, string, bool)>();
        try
        {
            uint np;
            if (Cl.clGetPlatformIDs(0, null, &np) != Cl.Success || np == 0) return result;
            var platforms = new nint[np];
            fixed (nint* pp = platforms) Cl.Ok(Cl.clGetPlatformIDs(np, pp, null), "clGetPlatformIDs");
            foreach (var platform in platforms)
            {
                uint nd;
                if (Cl.clGetDeviceIDs(platform, Cl.DeviceTypeAll, 0, null, &nd) != Cl.Success || nd == 0) continue;
                var devs = new nint[nd];
                fixed (nint* pd = devs) Cl.Ok(Cl.clGetDeviceIDs(platform, Cl.DeviceTypeAll, nd, pd, null), "clGetDeviceIDs");
                string pname = Cl.Info((size, ptr) => Cl.clGetPlatformInfo(platform, Cl.PlatformName, size, (byte*)ptr, null));
                foreach (var d in devs)
                {
                    ulong type;
                    Cl.clGetDeviceInfo(d, Cl.DeviceType, (nuint)sizeof(ulong), &type, null);
                    string dname = Cl.Info((size, ptr) => Cl.clGetDeviceInfo(d, Cl.DeviceName, size, (void*)ptr, null));
                    result.Add((d, $"{dname} ({pname})", (type & Cl.DeviceTypeGpu) != 0));
                }
            }
        }
        catch (DllNotFoundException)
        {
            throw new NotSupportedException("OpenCL is not available: libOpenCL.so.1 was not found (Debian: apt-get install ocl-icd-libopencl1 pocl-opencl-icd)");
        }
        return result;
    }

    public DeviceBuffer Alloc(int length)
    {
        int err;
        nint mem = Cl.clCreateBuffer(_context, Cl.MemReadWrite, (nuint)(Math.Max(length, 1) * 4L), null, &err);
        Cl.Ok(err, $"clCreateBuffer of {length} elements");
        return new ClBuffer(mem, length);
    }

    static nint Mem(DeviceBuffer b) => ((ClBuffer)b).Mem;

    public void Write(DeviceBuffer buffer, ReadOnlySpan<float> data) { fixed (float* p = data) WriteBytes(buffer, p, data.Length); }
    public void Write(DeviceBuffer buffer, ReadOnlySpan<int> data) { fixed (int* p = data) WriteBytes(buffer, p, data.Length); }
    public void Read(DeviceBuffer buffer, Span<float> data) { fixed (float* p = data) ReadBytes(buffer, p, data.Length); }
    public void Read(DeviceBuffer buffer, Span<int> data) { fixed (int* p = data) ReadBytes(buffer, p, data.Length); }

    void WriteBytes(DeviceBuffer b, void* p, int n)
    {
        if (n > b.Length) throw new ArgumentException($"writing {n} elements into a buffer of {b.Length}");
        if (n > 0) Cl.Ok(Cl.clEnqueueWriteBuffer(_queue, Mem(b), 1, 0, (nuint)(n * 4L), p, 0, null, null), "clEnqueueWriteBuffer");
    }

    void ReadBytes(DeviceBuffer b, void* p, int n)
    {
        if (n > b.Length) throw new ArgumentException($"reading {n} elements from a buffer of {b.Length}");
        if (n > 0) Cl.Ok(Cl.clEnqueueReadBuffer(_queue, Mem(b), 1, 0, (nuint)(n * 4L), p, 0, null, null), "clEnqueueReadBuffer");
    }

    nint Kernel(string name)
    {
        if (_kernels.TryGetValue(name, out var k)) return k;
        int err;
        var bytes = Encoding.ASCII.GetBytes(name + "\0");
        fixed (byte* n = bytes) k = Cl.clCreateKernel(_program, n, &err);
        Cl.Ok(err, $"clCreateKernel {name}");
        return _kernels[name] = k;
    }

    public void Launch(string kernel, int globalX, int globalY, int localX, int localY, params Arg[] args)
    {
        if (globalX <= 0 || globalY <= 0) return;
        nint k = Kernel(kernel);
        for (int i = 0; i < args.Length; i++)
        {
            var a = args[i];
            int err;
            switch (a.Kind)
            {
                case 'b': { nint m = Mem(a.Buffer!); err = Cl.clSetKernelArg(k, (uint)i, (nuint)sizeof(nint), &m); break; }
                case 'i': { int v = a.Int; err = Cl.clSetKernelArg(k, (uint)i, 4, &v); break; }
                default: { float v = a.Float; err = Cl.clSetKernelArg(k, (uint)i, 4, &v); break; }
            }
            Cl.Ok(err, $"clSetKernelArg {kernel}[{i}]");
        }
        nuint* global = stackalloc nuint[2];
        nuint* local = stackalloc nuint[2];
        global[0] = (nuint)RoundUp(globalX, localX); global[1] = (nuint)RoundUp(globalY, localY);
        local[0] = (nuint)localX; local[1] = (nuint)localY;
        Cl.Ok(Cl.clEnqueueNDRangeKernel(_queue, k, 2, null, global, local, 0, null, null), $"clEnqueueNDRangeKernel {kernel}");
    }

    static int RoundUp(int x, int m) => (x + m - 1) / m * m;

    public void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, DeviceBuffer a, int lda, DeviceBuffer b, int ldb, float beta, DeviceBuffer c, int ldc)
    {
        if (m == 0 || n == 0) return;
        Launch("gemm", n, m, 16, 16, m, n, k, alpha, a, lda, transA ? 1 : 0, b, ldb, transB ? 1 : 0, beta, c, ldc);
    }

    public void Finish() => Cl.Ok(Cl.clFinish(_queue), "clFinish");

    public void Dispose()
    {
        foreach (var k in _kernels.Values) Cl.clReleaseKernel(k);
        _kernels.Clear();
        if (_program != 0) Cl.clReleaseProgram(_program);
        if (_queue != 0) Cl.clReleaseCommandQueue(_queue);
        if (_context != 0) Cl.clReleaseContext(_context);
    }
}

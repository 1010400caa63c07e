using System.Runtime.InteropServices;
using System.Text;

namespace Hebb.Accelerated.Backends.OpenCl;

/// <summary>The OpenCL 1.2 API, by hand-written P/Invoke of libOpenCL.so.1 (the ICD loader).</summary>
static unsafe class Cl
{
    const string Lib = "libOpenCL.so.1";
    public const int Success = 0;
    public const ulong DeviceTypeAll = 0xFFFFFFFF, DeviceTypeGpu = 1 << 2;
    public const uint PlatformName = 0x0902, DeviceName = 0x102B, DeviceType = 0x1000, ProgramBuildLog = 0x1183;
    public const ulong MemReadWrite = 1;

    [DllImport(Lib)] public static extern int clGetPlatformIDs(uint num, nint* platforms, uint* count);
    [DllImport(Lib)] public static extern int clGetPlatformInfo(nint platform, uint name, nuint size, byte* value, nuint* sizeRet);
    [DllImport(Lib)] public static extern int clGetDeviceIDs(nint platform, ulong type, uint num, nint* devices, uint* count);
    [DllImport(Lib)] public static extern int clGetDeviceInfo(nint device, uint name, nuint size, void* value, nuint* sizeRet);
    [DllImport(Lib)] public static extern nint clCreateContext(nint* props, uint num, nint* devices, nint notify, nint user, int* err);
    [DllImport(Lib)] public static extern nint clCreateCommandQueue(nint context, nint device, ulong props, int* err);
    [DllImport(Lib)] public static extern nint clCreateProgramWithSource(nint context, uint count, byte** strings, nuint* lengths, int* err);
    [DllImport(Lib)] public static extern int clBuildProgram(nint program, uint num, nint* devices, byte* options, nint notify, nint user);
    [DllImport(Lib)] public static extern int clGetProgramBuildInfo(nint program, nint device, uint name, nuint size, byte* value, nuint* sizeRet);
    [DllImport(Lib)] public static extern nint clCreateKernel(nint program, byte* name, int* err);
    [DllImport(Lib)] public static extern int clSetKernelArg(nint kernel, uint index, nuint size, void* value);
    [DllImport(Lib)] public static extern nint clCreateBuffer(nint context, ulong flags, nuint size, void* host, int* err);
    [DllImport(Lib)] public static extern int clEnqueueWriteBuffer(nint queue, nint buffer, uint blocking, nuint offset, nuint size, void* ptr, uint n, nint* wait, nint* ev);
    [DllImport(Lib)] public static extern int clEnqueueReadBuffer(nint queue, nint buffer, uint blocking, nuint offset, nuint size, void* ptr, uint n, nint* wait, nint* ev);
    [DllImport(Lib)] public static extern int clEnqueueNDRangeKernel(nint queue, nint kernel, uint dims, nuint* offset, nuint* global, nuint* local, uint n, nint* wait, nint* ev);
    [DllImport(Lib)] public static extern int clFinish(nint queue);
    [DllImport(Lib)] public static extern int clReleaseMemObject(nint mem);
    [DllImport(Lib)] public static extern int clReleaseKernel(nint kernel);
    [DllImport(Lib)] public static extern int clReleaseProgram(nint program);
    [DllImport(Lib)] public static extern int clReleaseCommandQueue(nint queue);
    [DllImport(Lib)] public static extern int clReleaseContext(nint context);

    public static void Ok(int err, string what)
    {
        if (err != Success) throw new InvalidOperationException($"OpenCL {what} failed with error {err}");
    }

    public static string Info(Func<nuint, nint, int> get)
    {
        var buf = new byte[1024];
        fixed (byte* p = buf)
        {
            if (get((nuint)buf.Length, (nint)p) != Success) return "?";
        }
        return Encoding.ASCII.GetString(buf).TrimEnd('\0', ' ');
    }
}

using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Hebb.Accelerated.Backends.Cpu;

/// <summary>
/// Which of its kernels OpenBLAS runs, and the repair of one wrong choice. An OpenBLAS built with DYNAMIC_ARCH (as
/// Debian's is) picks its kernels once, when it loads, from the CPU's model number, unless the environment variable
/// <c>OPENBLAS_CORETYPE</c> names them. A model it does not know gets generic kernels (Debian 12's OpenBLAS takes
/// some recent Xeons for a Prescott, SSE3 only: docs/PERFORMANCE.md). So when OpenBLAS has picked
/// kernels without AVX on a CPU that has AVX2 and FMA, and the user has not set <c>OPENBLAS_CORETYPE</c>, the library
/// is loaded again with that variable naming the best kernels the CPU's instructions run (<see cref="Best"/>). A choice
/// with AVX is OpenBLAS's own decision and is kept.
/// </summary>
public static class OpenBlasKernels
{
    /// <summary>The environment variable OpenBLAS reads, once, when it loads.</summary>
    public const string Variable = "OPENBLAS_CORETYPE";

    /// <summary>OpenBLAS's x86-64 kernel sets that use no AVX (the names <c>openblas_get_corename</c> returns).</summary>
    static readonly HashSet<string> WithoutAvx = new(StringComparer.OrdinalIgnoreCase)
    {
        "Katmai", "Coppermine", "Northwood", "Prescott", "Banias", "Atom", "Core2", "Penryn", "Dunnington", "Nehalem",
        "Athlon", "Opteron", "Opteron(SSE3)", "Barcelona", "Nano", "Bobcat",
    };

    /// <summary>The best OpenBLAS kernels this CPU's instructions run, as .NET sees them: SkylakeX for AVX-512
    /// (F, CD, BW, DQ, VL), Haswell for AVX2 with FMA; null below that, or off x86-64.</summary>
    public static string? Best()
    {
        if (Avx512F.IsSupported && Avx512F.VL.IsSupported && Avx512CD.IsSupported && Avx512BW.IsSupported && Avx512DQ.IsSupported)
            return "SkylakeX";
        if (Avx2.IsSupported && Fma.IsSupported) return "Haswell";
        return null;
    }

    /// <summary>The kernels to load OpenBLAS again with, or null to keep its own choice: only when it
    /// <paramref name="chose"/> kernels without AVX, the user did not name any (<paramref name="userSetting"/>, the
    /// variable's value) and the CPU runs better ones (<paramref name="best"/>).</summary>
    public static string? Replacement(string? chose, string? userSetting, string? best) =>
        string.IsNullOrEmpty(userSetting) && chose is not null && WithoutAvx.Contains(chose) && best is not null ? best : null;

    /// <summary>The name of the kernels a loaded OpenBLAS runs, or null when it does not say (not OpenBLAS, or too old).</summary>
    public static string? CoreName(nint handle) => Text(handle, "openblas_get_corename");

    /// <summary>A loaded OpenBLAS's build options (<c>openblas_get_config</c>: "... DYNAMIC_ARCH ..."), or null.</summary>
    public static string? BuildConfig(nint handle) => Text(handle, "openblas_get_config");

    /// <summary>The string a no-argument function of the library returns, or null when it has no such export.</summary>
    static unsafe string? Text(nint handle, string export) =>
        NativeLibrary.TryGetExport(handle, export, out var fn)
            ? Marshal.PtrToStringUTF8((nint)((delegate* unmanaged[Cdecl]<byte*>)fn)())
            : null;

    /// <summary>Sets (or, with null, removes) a variable of the process's native environment, which is what OpenBLAS
    /// reads: .NET's Environment.SetEnvironmentVariable changes only its own copy on Linux.</summary>
    public static void SetNative(string name, string? value)
    {
        int rc = value is null ? unsetenv(name) : setenv(name, value, 1);
        if (rc != 0) throw new InvalidOperationException($"could not {(value is null ? "unset" : "set")} {name} in the environment (errno {Marshal.GetLastPInvokeError()})");
    }

    [DllImport("libc", SetLastError = true)]
    static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    [DllImport("libc", SetLastError = true)]
    static extern int unsetenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
}

using System.Runtime.InteropServices;

namespace Hebb.Accelerated.Backends.Cpu;

/// <summary>
/// GEMM by OpenBLAS's <c>cblas_sgemm</c> (Debian: libopenblas0-pthread), found at run time; another BLAS is not
/// taken for it (<see cref="Unusable"/>).
/// Products with a small op(B) (n x k &lt; <see cref="SmallNK"/>) run on one thread, where OpenBLAS's own split over
/// its threads is slower (docs/PERFORMANCE.md). OpenBLAS's thread count is process-wide: products on one thread
/// run side by side (a shared lock) while it is 1; a product that changes it, or runs on OpenBLAS's threads, runs alone
/// (the exclusive lock).
/// </summary>
public sealed unsafe class OpenBlasGemm : IGemm
{
    const int RowMajor = 101, NoTrans = 111, Trans = 112;
    /// <summary>Below this n x k (columns of C times the inner dimension) a product runs on one thread.</summary>
    public const long SmallNK = 40_000;
    static readonly string[] Candidates = ["libopenblas.so.0", "libopenblas.so", "libopenblasp.so.0", "libblas.so.3"];
    static readonly ReaderWriterLockSlim Lock = new();
    static int _threadsNow;

    readonly delegate* unmanaged[Cdecl]<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;
    readonly delegate* unmanaged[Cdecl]<int, void> _setThreads;
    readonly int _threads;
    readonly bool _smallOnOneThread = true;

    public string Name { get; }

    /// <summary>The kernels OpenBLAS runs (<c>openblas_get_corename</c>: "SkylakeX", "Haswell", ...), or null when the
    /// library does not say.</summary>
    public string? Kernels { get; }

    /// <summary>OpenBLAS's build options (<c>openblas_get_config</c>), or null when the library does not say.</summary>
    public string? Config { get; }

    /// <summary>The same library with OpenBLAS's own threading for every size (no one-thread rule for small
    /// products): the benchmarks time both and take the faster as the GEMM-only bound.</summary>
    public OpenBlasGemm WithOwnThreading() => new(this);

    OpenBlasGemm(OpenBlasGemm other)
    {
        _sgemm = other._sgemm; _setThreads = other._setThreads; _threads = other._threads;
        Kernels = other.Kernels; Config = other.Config;
        _smallOnOneThread = false;
        Name = other.Name + ", OpenBLAS's own threading";
    }

    OpenBlasGemm(IntPtr fn, string name, IntPtr handle)
    {
        _sgemm = (delegate* unmanaged[Cdecl]<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)fn;
        Name = name;
        Kernels = OpenBlasKernels.CoreName(handle);
        Config = OpenBlasKernels.BuildConfig(handle);
        _threads = 1;
        if (NativeLibrary.TryGetExport(handle, "openblas_set_num_threads", out var set)
            && NativeLibrary.TryGetExport(handle, "openblas_get_num_threads", out var get))
        {
            _setThreads = (delegate* unmanaged[Cdecl]<int, void>)set;
            _threads = Math.Max(1, ((delegate* unmanaged[Cdecl]<int>)get)());
            Lock.EnterWriteLock();
            if (_threadsNow == 0) _threadsNow = _threads;
            Lock.ExitWriteLock();
        }
    }

    /// <summary>The library, loaded once per process (OpenBLAS picks its kernels when it loads).</summary>
    static readonly Lazy<(OpenBlasGemm? Gemm, string Why)> Loaded = new(Load);

    /// <summary>Loads OpenBLAS (once per process; later calls return the same library), or says why it could not.
    /// Where OpenBLAS picked kernels without AVX on a CPU with AVX2 (a model it does not know), it is loaded again
    /// with better ones (<see cref="OpenBlasKernels"/>); <see cref="Name"/> says which kernels run.</summary>
    public static OpenBlasGemm? TryLoad(out string why)
    {
        (var gemm, why) = Loaded.Value;
        return gemm;
    }

    /// <summary>Why a library that loaded is not used, or null when it is: it must export <c>cblas_sgemm</c> and be
    /// OpenBLAS (<c>openblas_get_config</c>). libblas.so.3 is OpenBLAS where Debian's alternatives point it there, but
    /// may be the reference BLAS (libblas3), whose sgemm runs at about 4 GFLOP/s: slower than the managed GEMM, which
    /// the cpu backend then uses instead.</summary>
    public static string? Unusable(string lib, bool hasSgemm, bool isOpenBlas) =>
        !hasSgemm ? $"{lib} has no cblas_sgemm"
        : !isOpenBlas ? $"{lib} is not OpenBLAS (no openblas_get_config; a reference BLAS such as Debian's libblas3 multiplies at a few GFLOP/s, slower than the managed GEMM)"
        : null;

    static (OpenBlasGemm?, string) Load()
    {
        var refused = new List<string>();
        foreach (var lib in Candidates)
        {
            if (!NativeLibrary.TryLoad(lib, out var handle)) continue;
            bool hasSgemm = NativeLibrary.TryGetExport(handle, "cblas_sgemm", out var fn);
            if (Unusable(lib, hasSgemm, NativeLibrary.TryGetExport(handle, "openblas_get_config", out _)) is { } why)
            {
                refused.Add(why);
                NativeLibrary.Free(handle);
                continue;
            }
            string? chose = OpenBlasKernels.CoreName(handle), asked = Environment.GetEnvironmentVariable(OpenBlasKernels.Variable);
            string? better = OperatingSystem.IsWindows() ? null : OpenBlasKernels.Replacement(chose, asked, OpenBlasKernels.Best());
            if (better is not null) Reload(lib, better, ref handle, ref fn);
            string? kernels = OpenBlasKernels.CoreName(handle);
            string name = kernels is null ? $"OpenBLAS ({lib})"
                : !string.IsNullOrEmpty(asked) ? $"OpenBLAS ({lib}, {kernels} kernels, as {OpenBlasKernels.Variable}={asked} asks)"
                : kernels == chose ? $"OpenBLAS ({lib}, {kernels} kernels)"
                : $"OpenBLAS ({lib}, {kernels} kernels in place of its own choice for this CPU, {chose})";
            return (new OpenBlasGemm(fn, name, handle), "");
        }
        string found = refused.Count == 0 ? "none of them loads" : string.Join("; ", refused);
        return (null, $"no OpenBLAS among {string.Join(", ", Candidates)}: {found} (Debian: apt-get install libopenblas0-pthread)");
    }

    /// <summary>Unloads <paramref name="lib"/> and loads it again with OPENBLAS_CORETYPE = <paramref name="kernels"/> in
    /// the native environment (removed again after). Where the variable cannot be set the first load is kept; where
    /// the library does not load again it is loaded plainly.</summary>
    static void Reload(string lib, string kernels, ref IntPtr handle, ref IntPtr fn)
    {
        try { OpenBlasKernels.SetNative(OpenBlasKernels.Variable, kernels); }
        catch (Exception ex) when (ex is InvalidOperationException or DllNotFoundException or EntryPointNotFoundException) { return; }
        try
        {
            NativeLibrary.Free(handle);
            if (NativeLibrary.TryLoad(lib, out var again) && NativeLibrary.TryGetExport(again, "cblas_sgemm", out var f))
            {
                handle = again; fn = f;
                return;
            }
        }
        finally
        {
            try { OpenBlasKernels.SetNative(OpenBlasKernels.Variable, null); }
            catch (InvalidOperationException) { }   // left set: OpenBLAS has read it, and .NET's own copy of the environment never had it
        }
        handle = NativeLibrary.Load(lib);
        fn = NativeLibrary.GetExport(handle, "cblas_sgemm");
    }

    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
                      ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
                      float beta, Span<float> c, int ldc)
    {
        if (m == 0 || n == 0) return;
        GemmChecks.Lengths(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        int threads = _smallOnOneThread && (long)n * k < SmallNK ? 1 : _threads;
        fixed (float* pa = a) fixed (float* pb = b) fixed (float* pc = c)
        {
            if (threads == 1 || _setThreads == null)
            {
                Lock.EnterReadLock();
                try
                {
                    if (_setThreads == null || _threadsNow == 1)
                    {
                        Call(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
                        return;
                    }
                }
                finally { Lock.ExitReadLock(); }
            }
            Lock.EnterWriteLock();
            try
            {
                if (_setThreads != null && threads != _threadsNow) { _setThreads(threads); _threadsNow = threads; }
                Call(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
            }
            finally { Lock.ExitWriteLock(); }
        }
    }

    void Call(bool transA, bool transB, int m, int n, int k, float alpha, float* pa, int lda, float* pb, int ldb, float beta, float* pc, int ldc) =>
        _sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k,
               alpha, pa, Math.Max(lda, 1), pb, Math.Max(ldb, 1), beta, pc, Math.Max(ldc, 1));
}

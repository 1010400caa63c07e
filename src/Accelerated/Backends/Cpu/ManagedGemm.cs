using System.Runtime.Intrinsics;

namespace Hebb.Accelerated.Backends.Cpu;

/// <summary>
/// The managed GEMM, for machines without OpenBLAS (and the <c>cpu-managed</c> backend): register-blocked SIMD in
/// the way of an optimized BLAS. op(B) is packed, a block of k and of columns at a time, into panels of up to
/// 4 vectors' columns; each 6-row by 1-to-4-vector tile of C is summed in registers
/// (<c>Tile1</c> .. <c>Tile4</c>), reading A's six rows where they lie. Widest vectors the JIT accelerates:
/// Vector512 (tiles 6 x 64), else Vector256 (6 x 16, for 16 registers), else Vector128 (6 x 8), else scalars (6 x 2).
/// Every C[i, j] is the same chain, a(i, l) * b(l, j) added in order of l from an exact zero, whatever the shape,
/// the transposes or the threads: the product and its transpose (B^T A^T) come out bit for bit alike, which the
/// layer's two orientations of the currents rely on (docs/DESIGN-NOTES.md). Each step is a fused multiply-add where
/// the processor has one (<see cref="Fused"/>), else a multiply then an add (never software FMA: docs/DESIGN-NOTES.md).
/// alpha scales the sum after it; beta * C is added last.
/// Products of <see cref="ParallelMacs"/> multiply-adds or more split over the cores, by panels or by row tiles.
/// </summary>
public sealed class ManagedGemm : IGemm
{
    /// <summary>From this many multiply-adds (m n k) on, a product runs on all cores.</summary>
    public const long ParallelMacs = 4_000_000;

    /// <summary>Whether each step of the chain is one fused multiply-add (x86 FMA3, Arm64), rather than a rounded
    /// multiply then an add.</summary>
    public static bool Fused => FusedHardware.Present;

    public string Name => "managed SIMD (" + Describe() + (Fused ? ", fused multiply-add" : ", multiply then add") + ")";

    static string Describe() =>
        Vector512.IsHardwareAccelerated ? Blocked<V512>.Description
        : Vector256.IsHardwareAccelerated ? Blocked<V256>.Description
        : Vector128.IsHardwareAccelerated ? Blocked<V128>.Description
        : Blocked<S1>.Description;

    public unsafe void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
                             ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
                             float beta, Span<float> c, int ldc)
    {
        if (m == 0 || n == 0) return;
        GemmChecks.Lengths(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        fixed (float* pa = a) fixed (float* pb = b) fixed (float* pc = c)
        {
            var p = new Product(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
            if (k == 0 || alpha == 0f) p.ScaleC();
            else if (!TransposesWideB(transB, m, n, k)) Run(p);
            else
            {
                // C^T = B op(A)^T (n x m) into a buffer, then C = alpha C^T^T (+ beta C), as Run finishes a product.
                float[] t = _transposed is { } buf && buf.Length >= (long)n * m ? buf : _transposed = new float[(long)n * m];
                fixed (float* pt = t)
                {
                    Run(new Product(false, !transA, n, m, k, 1f, pb, ldb, pa, lda, 0f, pt, m));
                    for (int i = 0; i < m; i++)
                    {
                        float* ci = pc + (long)i * ldc, ti = pt + i;
                        if (beta != 0f) for (int j = 0; j < n; j++) ci[j] = alpha * ti[(long)j * m] + beta * ci[j];
                        else if (alpha != 1f) for (int j = 0; j < n; j++) ci[j] = alpha * ti[(long)j * m];
                        else for (int j = 0; j < n; j++) ci[j] = ti[(long)j * m];
                    }
                }
            }
        }
    }

    [ThreadStatic] static float[]? _transposed;

    static void Run(Product p)
    {
        if (Vector512.IsHardwareAccelerated) Blocked<V512>.Run(p);
        else if (Vector256.IsHardwareAccelerated) Blocked<V256>.Run(p);
        else if (Vector128.IsHardwareAccelerated) Blocked<V128>.Run(p);
        else Blocked<S1>.Run(p);
    }

    /// <summary>
    /// Whether a product computes C^T = B op(A)^T and writes it back transposed: where op(B) = B^T is stored n x k (a
    /// layer's weights, a row per unit) and packing it, a scattered copy of all n k values every call, costs more than
    /// packing op(A) and transposing C (k (n - m) &gt; 2 m n; docs/PERFORMANCE.md). Every element is the same chain either
    /// way (a b = b a, and a fused multiply-add rounds once whichever factor comes first), so the result is bit for
    /// bit the same.
    /// </summary>
    public static bool TransposesWideB(bool transB, int m, int n, int k) => transB && (long)k * (n - m) > 2L * m * n;
}

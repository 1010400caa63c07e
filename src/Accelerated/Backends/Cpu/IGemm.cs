namespace Hebb.Accelerated.Backends.Cpu;

/// <summary>
/// Row-major single-precision GEMM: C = alpha * op(A) * op(B) + beta * C, where op(A) is M x K,
/// op(B) is K x N and C is M x N; transA / transB say that A / B are stored transposed.
/// Sgemm may be called from several threads at once (each with its own C).
/// </summary>
public interface IGemm
{
    string Name { get; }
    void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
               ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
               float beta, Span<float> c, int ldc);
}

namespace Hebb.Accelerated.Backends.Cpu;

static class GemmChecks
{
    public static void Lengths(bool transA, bool transB, int m, int n, int k, int aLen, int lda, int bLen, int ldb, int cLen, int ldc)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), $"GEMM sizes must be >= 0 (m={m}, n={n}, k={k})");
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        Need("a", aRows, aCols, lda, aLen);
        Need("b", bRows, bCols, ldb, bLen);
        Need("c", m, n, ldc, cLen);
    }

    static void Need(string name, int rows, int cols, int ld, int len)
    {
        if (rows == 0 || cols == 0) return;
        if (ld < cols) throw new ArgumentOutOfRangeException("ld" + name, ld, $"leading dimension of {name} must be >= {cols}");
        long need = (long)(rows - 1) * ld + cols;
        if (len < need) throw new ArgumentException($"{name} has {len} elements; a {rows}x{cols} operand with leading dimension {ld} needs {need}", name);
    }
}

namespace Hebb.Accelerated.Backends.Cpu;

/// <summary>One call's operands, as pointers (pinned by the caller for the call's duration).</summary>
readonly unsafe struct Product(bool transA, bool transB, int m, int n, int k, float alpha,
                               float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
{
    public readonly bool TransA = transA, TransB = transB;
    public readonly int M = m, N = n, K = k, Lda = lda, Ldb = ldb, Ldc = ldc;
    public readonly float Alpha = alpha, Beta = beta;
    public readonly float* A = a, B = b, C = c;

    /// <summary>op(A)[i, l].</summary>
    public float AAt(int i, int l) => TransA ? A[(long)l * Lda + i] : A[(long)i * Lda + l];

    /// <summary>C = beta C (beta = 0 clears C, NaNs included): the whole product when k = 0 or alpha = 0.</summary>
    public void ScaleC()
    {
        for (int i = 0; i < M; i++)
        {
            var row = new Span<float>(C + (long)i * Ldc, N);
            if (Beta == 0f) row.Clear();
            else if (Beta != 1f) System.Numerics.Tensors.TensorPrimitives.Multiply(row, Beta, row);
        }
    }
}

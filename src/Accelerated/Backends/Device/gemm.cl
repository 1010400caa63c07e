/* C = alpha * op(A) * op(B) + beta * C, row-major; op(A) is M x K, op(B) is K x N.
   ta / tb: A / B are stored transposed. 16 x 16 tiles in local memory; sizes need not be multiples of 16. */
#define TS 16
KERNEL void gemm(const int M, const int N, const int K, const float alpha,
                 GLOBAL const float* A, const int lda, const int ta,
                 GLOBAL const float* B, const int ldb, const int tb,
                 const float beta, GLOBAL float* C, const int ldc)
{
    LOCAL float As[TS][TS + 1];
    LOCAL float Bs[TS][TS + 1];
    const int tx = LID(0), ty = LID(1);
    const int col = GROUP(0) * TS + tx;
    const int row = GROUP(1) * TS + ty;
    float acc = 0.0f;
    for (int t = 0; t < K; t += TS) {
        const int ak = t + tx, bk = t + ty;
        As[ty][tx] = (row < M && ak < K) ? (ta ? A[ak * lda + row] : A[row * lda + ak]) : 0.0f;
        Bs[ty][tx] = (col < N && bk < K) ? (tb ? B[col * ldb + bk] : B[bk * ldb + col]) : 0.0f;
        BARRIER();
        for (int k = 0; k < TS; k++) acc += As[ty][k] * Bs[k][tx];
        BARRIER();
    }
    if (row < M && col < N) C[row * ldc + col] = beta == 0.0f ? alpha * acc : alpha * acc + beta * C[row * ldc + col];
}

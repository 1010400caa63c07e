using System.Numerics.Tensors;
using Hebb.Accelerated.Backends.Cpu;

namespace Hebb.Accelerated.Rules.Probe;

/// <summary>
/// The probes' layers as float32 span kernels (row-major, B rows), shared by <see cref="CpuProbeLayers"/> and
/// <see cref="CpuClassifier"/>. Reference: Hebb.Reference.Probe (the function of the same name).
/// </summary>
public static class CpuProbeKernels
{
    /// <summary>y = x W^T + bias (Probe.linear); an empty bias is no bias. x: b x n, W: m x n, y: b x m.</summary>
    public static void Linear(IGemm gemm, ReadOnlySpan<float> x, int b, int n, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, int m, Span<float> y)
    {
        gemm.Sgemm(false, true, b, m, n, 1f, x, n, w, n, 0f, y, m);
        if (!bias.IsEmpty)
            for (int r = 0; r < b; r++) TensorPrimitives.Add(y.Slice(r * m, m), bias, y.Slice(r * m, m));
    }

    /// <summary>dW = dy^T x (Probe.linearBackward); dbias = column sums of dy and dx = dy W when those spans are not empty.</summary>
    public static void LinearBackward(IGemm gemm, ReadOnlySpan<float> x, int b, int n, ReadOnlySpan<float> w, int m,
                                      ReadOnlySpan<float> dy, Span<float> dx, Span<float> dw, Span<float> dbias)
    {
        gemm.Sgemm(true, false, m, n, b, 1f, dy, m, x, n, 0f, dw, n);
        if (!dbias.IsEmpty) ColumnSums(dy, b, m, dbias);
        if (!dx.IsEmpty) gemm.Sgemm(false, false, b, n, m, 1f, dy, m, w, n, 0f, dx, n);
    }

    public static void ColumnSums(ReadOnlySpan<float> a, int rows, int cols, Span<float> sums)
    {
        sums.Slice(0, cols).Clear();
        for (int r = 0; r < rows; r++) TensorPrimitives.Add(sums.Slice(0, cols), a.Slice(r * cols, cols), sums.Slice(0, cols));
    }

    /// <summary>Per-feature batch mean and biased variance (Probe.batchStats), accumulated in float64.</summary>
    public static void BatchStats(ReadOnlySpan<float> x, int b, int n, Span<float> mean, Span<float> var)
    {
        for (int j = 0; j < n; j++)
        {
            double s = 0;
            for (int r = 0; r < b; r++) s += x[r * n + j];
            double mu = s / b, v = 0;
            for (int r = 0; r < b; r++) { double d = x[r * n + j] - mu; v += d * d; }
            mean[j] = (float)mu;
            var[j] = (float)(v / b);
        }
    }

    /// <summary>xhat = (x - mean) * invStd, y = gamma xhat + beta (Probe.batchNorm / batchNormInfer).</summary>
    public static void Normalize(ReadOnlySpan<float> x, int b, int n, ReadOnlySpan<float> mean, ReadOnlySpan<float> var, float eps,
                                 ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> xhat, Span<float> y, Span<float> invStd)
    {
        for (int j = 0; j < n; j++) invStd[j] = 1f / MathF.Sqrt(var[j] + eps);
        for (int r = 0; r < b; r++)
        {
            var xr = x.Slice(r * n, n);
            var hr = xhat.Slice(r * n, n);
            TensorPrimitives.Subtract(xr, mean, hr);
            TensorPrimitives.Multiply(hr, invStd.Slice(0, n), hr);
            TensorPrimitives.MultiplyAdd(hr, gamma, beta, y.Slice(r * n, n));
        }
    }

    /// <summary>Probe.batchNormBackward from the saved xhat and invStd:
    /// dgamma = sum dy xhat, dbeta = sum dy, dx = gamma invStd / B (B dy - dbeta - xhat dgamma).</summary>
    public static void BatchNormBackward(ReadOnlySpan<float> xhat, ReadOnlySpan<float> invStd, int b, int n, ReadOnlySpan<float> gamma,
                                         ReadOnlySpan<float> dy, Span<float> dx, Span<float> dgamma, Span<float> dbeta)
    {
        for (int j = 0; j < n; j++)
        {
            double sg = 0, sb = 0;
            for (int r = 0; r < b; r++) { float d = dy[r * n + j]; sb += d; sg += d * xhat[r * n + j]; }
            dgamma[j] = (float)sg; dbeta[j] = (float)sb;
        }
        for (int r = 0; r < b; r++)
            for (int j = 0; j < n; j++)
            {
                int i = r * n + j;
                dx[i] = gamma[j] * invStd[j] / b * (b * dy[i] - dbeta[j] - xhat[i] * dgamma[j]);
            }
    }

    /// <summary>y = x mask / (1 - rate) (Probe.dropout).</summary>
    public static void Dropout(ReadOnlySpan<float> x, ReadOnlySpan<float> mask, float rate, Span<float> y)
    {
        TensorPrimitives.Multiply(x, mask, y);
        if (rate != 0f) TensorPrimitives.Multiply(y.Slice(0, x.Length), 1f / (1f - rate), y.Slice(0, x.Length));
    }

    /// <summary>ELU with alpha = 1 (Probe.elu).</summary>
    public static void Elu(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] = x[i] > 0f ? x[i] : MathF.Exp(x[i]) - 1f;
    }

    /// <summary>dx = dy for x &gt; 0, dy exp(x) otherwise (Probe.eluBackward).</summary>
    public static void EluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < x.Length; i++) dx[i] = x[i] > 0f ? dy[i] : dy[i] * MathF.Exp(x[i]);
    }

    /// <summary>Mean softmax cross-entropy and dz = (softmax - onehot) / B (Probe.softmaxCrossEntropy).</summary>
    public static double SoftmaxCrossEntropy(ReadOnlySpan<float> z, int b, int c, ReadOnlySpan<int> labels, Span<float> dz)
    {
        double loss = 0;
        for (int r = 0; r < b; r++)
        {
            var zr = z.Slice(r * c, c);
            var dr = dz.Slice(r * c, c);
            float max = TensorPrimitives.Max(zr);
            TensorPrimitives.Subtract(zr, max, dr);
            TensorPrimitives.Exp(dr, dr);
            double sum = TensorPrimitives.Sum(dr);
            loss -= zr[labels[r]] - max - Math.Log(sum);
            TensorPrimitives.Multiply(dr, (float)(1.0 / (sum * b)), dr);
            dr[labels[r]] -= 1f / b;
        }
        return loss / b;
    }
}

using System.Numerics.Tensors;
using Hebb.Contracts;

namespace Hebb.Accelerated.Backends.Cpu;

/// <summary>
/// The probes' layers as float32 span kernels (row-major, B rows), shared by <see cref="CpuLayerOps"/> and
/// <see cref="CpuClassifier"/>. Reference: Hebb.Reference.Probe (the function of the same name).
/// </summary>
public static class CpuLayers
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

/// <summary>The layers one by one on host matrices (for the equivalence tests), on the CPU kernels above.</summary>
public sealed class CpuLayerOps(IGemm gemm) : ILayerOps
{
    public Matrix Linear(Matrix x, Matrix w, Matrix bias)
    {
        Check.Shape(x, -1, w.Cols, nameof(x)); Check.Shape(bias, 1, w.Rows, nameof(bias));
        var y = new Matrix(x.Rows, w.Rows);
        CpuLayers.Linear(gemm, x.Data, x.Rows, x.Cols, w.Data, bias.Data, w.Rows, y.Data);
        return y;
    }

    public (Matrix Dx, Matrix Dw, Matrix Dbias) LinearBackward(Matrix x, Matrix w, Matrix dy)
    {
        Check.Shape(x, -1, w.Cols, nameof(x)); Check.Shape(dy, x.Rows, w.Rows, nameof(dy));
        var (dx, dw, db) = (new Matrix(x.Rows, x.Cols), new Matrix(w.Rows, w.Cols), new Matrix(1, w.Rows));
        CpuLayers.LinearBackward(gemm, x.Data, x.Rows, x.Cols, w.Data, w.Rows, dy.Data, dx.Data, dw.Data, db.Data);
        return (dx, dw, db);
    }

    public Matrix BatchNorm(Matrix x, Matrix gamma, Matrix beta, double epsilon)
    {
        Check.Shape(gamma, 1, x.Cols, nameof(gamma)); Check.Shape(beta, 1, x.Cols, nameof(beta));
        int n = x.Cols;
        var (mean, var, inv) = (new float[n], new float[n], new float[n]);
        var y = new Matrix(x.Rows, n);
        CpuLayers.BatchStats(x.Data, x.Rows, n, mean, var);
        CpuLayers.Normalize(x.Data, x.Rows, n, mean, var, (float)epsilon, gamma.Data, beta.Data, new float[x.Data.Length], y.Data, inv);
        return y;
    }

    public (Matrix Dx, Matrix Dgamma, Matrix Dbeta) BatchNormBackward(Matrix x, Matrix gamma, Matrix dy, double epsilon)
    {
        Check.Shape(gamma, 1, x.Cols, nameof(gamma)); Check.Shape(dy, x.Rows, x.Cols, nameof(dy));
        int n = x.Cols;
        var (mean, var, inv, xhat) = (new float[n], new float[n], new float[n], new float[x.Data.Length]);
        CpuLayers.BatchStats(x.Data, x.Rows, n, mean, var);
        CpuLayers.Normalize(x.Data, x.Rows, n, mean, var, (float)epsilon, gamma.Data, new float[n], xhat, new float[x.Data.Length], inv);
        var (dx, dg, db) = (new Matrix(x.Rows, n), new Matrix(1, n), new Matrix(1, n));
        CpuLayers.BatchNormBackward(xhat, inv, x.Rows, n, gamma.Data, dy.Data, dx.Data, dg.Data, db.Data);
        return (dx, dg, db);
    }

    public Matrix Dropout(Matrix x, Matrix mask, double rate)
    {
        Check.Masks([mask], x.Rows, [x.Cols], nameof(mask));
        var y = new Matrix(x.Rows, x.Cols);
        CpuLayers.Dropout(x.Data, mask.Data, (float)rate, y.Data);
        return y;
    }

    public Matrix Elu(Matrix x)
    {
        var y = new Matrix(x.Rows, x.Cols);
        CpuLayers.Elu(x.Data, y.Data);
        return y;
    }

    public Matrix EluBackward(Matrix x, Matrix dy)
    {
        Check.Shape(dy, x.Rows, x.Cols, nameof(dy));
        var dx = new Matrix(x.Rows, x.Cols);
        CpuLayers.EluBackward(x.Data, dy.Data, dx.Data);
        return dx;
    }

    public (double Loss, Matrix Dz) SoftmaxCrossEntropy(Matrix z, ReadOnlySpan<int> labels)
    {
        Check.Labels(labels, z.Rows, z.Cols, nameof(labels));
        var dz = new Matrix(z.Rows, z.Cols);
        return (CpuLayers.SoftmaxCrossEntropy(z.Data, z.Rows, z.Cols, labels, dz.Data), dz);
    }
}

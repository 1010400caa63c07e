using Hebb.Contracts;
using Hebb.Accelerated.Backends.Cpu;

namespace Hebb.Accelerated.Rules.Probe;

/// <summary>The layers one by one on host matrices (for the equivalence tests), on the CPU kernels above.</summary>
public sealed class CpuProbeLayers(IGemm gemm) : IProbeLayers
{
    public Matrix Linear(Matrix x, Matrix w, Matrix bias)
    {
        Check.Shape(x, -1, w.Cols, nameof(x)); Check.Shape(bias, 1, w.Rows, nameof(bias));
        var y = new Matrix(x.Rows, w.Rows);
        CpuProbeKernels.Linear(gemm, x.Data, x.Rows, x.Cols, w.Data, bias.Data, w.Rows, y.Data);
        return y;
    }

    public (Matrix Dx, Matrix Dw, Matrix Dbias) LinearBackward(Matrix x, Matrix w, Matrix dy)
    {
        Check.Shape(x, -1, w.Cols, nameof(x)); Check.Shape(dy, x.Rows, w.Rows, nameof(dy));
        var (dx, dw, db) = (new Matrix(x.Rows, x.Cols), new Matrix(w.Rows, w.Cols), new Matrix(1, w.Rows));
        CpuProbeKernels.LinearBackward(gemm, x.Data, x.Rows, x.Cols, w.Data, w.Rows, dy.Data, dx.Data, dw.Data, db.Data);
        return (dx, dw, db);
    }

    public Matrix BatchNorm(Matrix x, Matrix gamma, Matrix beta, double epsilon)
    {
        Check.Shape(gamma, 1, x.Cols, nameof(gamma)); Check.Shape(beta, 1, x.Cols, nameof(beta));
        int n = x.Cols;
        var (mean, var, inv) = (new float[n], new float[n], new float[n]);
        var y = new Matrix(x.Rows, n);
        CpuProbeKernels.BatchStats(x.Data, x.Rows, n, mean, var);
        CpuProbeKernels.Normalize(x.Data, x.Rows, n, mean, var, (float)epsilon, gamma.Data, beta.Data, new float[x.Data.Length], y.Data, inv);
        return y;
    }

    public (Matrix Dx, Matrix Dgamma, Matrix Dbeta) BatchNormBackward(Matrix x, Matrix gamma, Matrix dy, double epsilon)
    {
        Check.Shape(gamma, 1, x.Cols, nameof(gamma)); Check.Shape(dy, x.Rows, x.Cols, nameof(dy));
        int n = x.Cols;
        var (mean, var, inv, xhat) = (new float[n], new float[n], new float[n], new float[x.Data.Length]);
        CpuProbeKernels.BatchStats(x.Data, x.Rows, n, mean, var);
        CpuProbeKernels.Normalize(x.Data, x.Rows, n, mean, var, (float)epsilon, gamma.Data, new float[n], xhat, new float[x.Data.Length], inv);
        var (dx, dg, db) = (new Matrix(x.Rows, n), new Matrix(1, n), new Matrix(1, n));
        CpuProbeKernels.BatchNormBackward(xhat, inv, x.Rows, n, gamma.Data, dy.Data, dx.Data, dg.Data, db.Data);
        return (dx, dg, db);
    }

    public Matrix Dropout(Matrix x, Matrix mask, double rate)
    {
        Check.Masks([mask], x.Rows, [x.Cols], nameof(mask));
        var y = new Matrix(x.Rows, x.Cols);
        CpuProbeKernels.Dropout(x.Data, mask.Data, (float)rate, y.Data);
        return y;
    }

    public Matrix Elu(Matrix x)
    {
        var y = new Matrix(x.Rows, x.Cols);
        CpuProbeKernels.Elu(x.Data, y.Data);
        return y;
    }

    public Matrix EluBackward(Matrix x, Matrix dy)
    {
        Check.Shape(dy, x.Rows, x.Cols, nameof(dy));
        var dx = new Matrix(x.Rows, x.Cols);
        CpuProbeKernels.EluBackward(x.Data, dy.Data, dx.Data);
        return dx;
    }

    public (double Loss, Matrix Dz) SoftmaxCrossEntropy(Matrix z, ReadOnlySpan<int> labels)
    {
        Check.Labels(labels, z.Rows, z.Cols, nameof(labels));
        var dz = new Matrix(z.Rows, z.Cols);
        return (CpuProbeKernels.SoftmaxCrossEntropy(z.Data, z.Rows, z.Cols, labels, dz.Data), dz);
    }
}

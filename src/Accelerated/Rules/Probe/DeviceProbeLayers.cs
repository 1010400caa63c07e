using Hebb.Contracts;
using Hebb.Accelerated.Backends.Device;

namespace Hebb.Accelerated.Rules.Probe;

/// <summary>The probe layers one by one on a GPU backend, for the equivalence tests: each call uploads its inputs,
/// runs the same kernels as <see cref="DeviceClassifier"/>, and reads the results back.</summary>
public sealed class DeviceProbeLayers(IDevice dev) : IProbeLayers
{
    sealed class Scope(IDevice dev) : IDisposable
    {
        readonly List<DeviceBuffer> _bufs = [];
        public DeviceBuffer Up(Matrix m) { var b = New(m.Data.Length); dev.Write(b, m.Data); return b; }
        public DeviceBuffer New(int n) { var b = dev.Alloc(n); _bufs.Add(b); return b; }
        public Matrix Down(DeviceBuffer b, int rows, int cols) { var m = new Matrix(rows, cols); dev.Read(b, m.Data); return m; }
        public void Dispose() { foreach (var b in _bufs) b.Dispose(); }
    }

    void Launch1(string kernel, int count, params Arg[] args) => dev.Launch(kernel, count, 1, 64, 1, args);

    public Matrix Linear(Matrix x, Matrix w, Matrix bias)
    {
        Check.Shape(x, -1, w.Cols, nameof(x)); Check.Shape(bias, 1, w.Rows, nameof(bias));
        using var s = new Scope(dev);
        var y = s.New(x.Rows * w.Rows);
        dev.Gemm(false, true, x.Rows, w.Rows, w.Cols, 1f, s.Up(x), w.Cols, s.Up(w), w.Cols, 0f, y, w.Rows);
        Launch1("add_bias", x.Rows * w.Rows, x.Rows, w.Rows, y, s.Up(bias));
        return s.Down(y, x.Rows, w.Rows);
    }

    public (Matrix Dx, Matrix Dw, Matrix Dbias) LinearBackward(Matrix x, Matrix w, Matrix dy)
    {
        Check.Shape(x, -1, w.Cols, nameof(x)); Check.Shape(dy, x.Rows, w.Rows, nameof(dy));
        using var s = new Scope(dev);
        var (bx, bw, bdy) = (s.Up(x), s.Up(w), s.Up(dy));
        var (dx, dw, db) = (s.New(x.Data.Length), s.New(w.Data.Length), s.New(w.Rows));
        dev.Gemm(true, false, w.Rows, w.Cols, x.Rows, 1f, bdy, w.Rows, bx, w.Cols, 0f, dw, w.Cols);
        Launch1("column_sums", w.Rows, x.Rows, w.Rows, bdy, db);
        dev.Gemm(false, false, x.Rows, w.Cols, w.Rows, 1f, bdy, w.Rows, bw, w.Cols, 0f, dx, w.Cols);
        return (s.Down(dx, x.Rows, x.Cols), s.Down(dw, w.Rows, w.Cols), s.Down(db, 1, w.Rows));
    }

    public Matrix BatchNorm(Matrix x, Matrix gamma, Matrix beta, double epsilon)
    {
        Check.Shape(gamma, 1, x.Cols, nameof(gamma)); Check.Shape(beta, 1, x.Cols, nameof(beta));
        using var s = new Scope(dev);
        int b = x.Rows, n = x.Cols;
        var (bx, mean, var, xhat, y) = (s.Up(x), s.New(n), s.New(n), s.New(b * n), s.New(b * n));
        Launch1("batch_stats", n, b, n, bx, mean, var);
        Launch1("bn_normalize", b * n, b, n, (float)epsilon, bx, mean, var, s.Up(gamma), s.Up(beta), xhat, y);
        return s.Down(y, b, n);
    }

    public (Matrix Dx, Matrix Dgamma, Matrix Dbeta) BatchNormBackward(Matrix x, Matrix gamma, Matrix dy, double epsilon)
    {
        Check.Shape(gamma, 1, x.Cols, nameof(gamma)); Check.Shape(dy, x.Rows, x.Cols, nameof(dy));
        using var s = new Scope(dev);
        int b = x.Rows, n = x.Cols;
        var (bx, mean, var, xhat, y, bg) = (s.Up(x), s.New(n), s.New(n), s.New(b * n), s.New(b * n), s.Up(gamma));
        Launch1("batch_stats", n, b, n, bx, mean, var);
        Launch1("bn_normalize", b * n, b, n, (float)epsilon, bx, mean, var, bg, s.Up(new Matrix(1, n)), xhat, y);
        var (bdy, dg, dbeta, dx) = (s.Up(dy), s.New(n), s.New(n), s.New(b * n));
        Launch1("bn_backward_sums", n, b, n, bdy, xhat, dg, dbeta);
        Launch1("bn_backward_dx", b * n, b, n, (float)epsilon, var, bg, bdy, xhat, dg, dbeta, dx);
        return (s.Down(dx, b, n), s.Down(dg, 1, n), s.Down(dbeta, 1, n));
    }

    public Matrix Dropout(Matrix x, Matrix mask, double rate)
    {
        Check.Masks([mask], x.Rows, [x.Cols], nameof(mask));
        using var s = new Scope(dev);
        var y = s.New(x.Data.Length);
        Launch1("dropout", x.Data.Length, x.Data.Length, (float)(1.0 / (1.0 - rate)), s.Up(x), s.Up(mask), y);
        return s.Down(y, x.Rows, x.Cols);
    }

    public Matrix Elu(Matrix x)
    {
        using var s = new Scope(dev);
        var y = s.New(x.Data.Length);
        Launch1("elu", x.Data.Length, x.Data.Length, s.Up(x), y);
        return s.Down(y, x.Rows, x.Cols);
    }

    public Matrix EluBackward(Matrix x, Matrix dy)
    {
        Check.Shape(dy, x.Rows, x.Cols, nameof(dy));
        using var s = new Scope(dev);
        var dx = s.New(x.Data.Length);
        Launch1("elu_backward", x.Data.Length, x.Data.Length, s.Up(x), s.Up(dy), dx);
        return s.Down(dx, x.Rows, x.Cols);
    }

    public (double Loss, Matrix Dz) SoftmaxCrossEntropy(Matrix z, ReadOnlySpan<int> labels)
    {
        Check.Labels(labels, z.Rows, z.Cols, nameof(labels));
        using var s = new Scope(dev);
        var (dz, loss, lab) = (s.New(z.Data.Length), s.New(z.Rows), s.New(z.Rows));
        dev.Write(lab, labels);
        Launch1("softmax_ce", z.Rows, z.Rows, z.Cols, s.Up(z), lab, dz, loss);
        var rowLoss = new float[z.Rows];
        dev.Read(loss, rowLoss);
        double total = 0;
        foreach (var v in rowLoss) total += v;
        return (total / z.Rows, s.Down(dz, z.Rows, z.Cols));
    }
}

using Hebb.Contracts;
using Hebb.Accelerated.Backends.Device;

namespace Hebb.Accelerated.Rules.Probe;

/// <summary>
/// The probe classifier on a GPU backend (reference: Hebb.Reference.Probe; same structure as CpuClassifier):
/// parameters, Adam's moments and activations stay in device memory; each step uploads the batch, its labels
/// and the dropout masks, and reads back one loss per row.
/// </summary>
public sealed class DeviceClassifier : DeviceLayer, IClassifier
{
    readonly int _layers, _hidden;
    readonly int[] _in, _out;
    readonly DeviceBuffer[] _w, _dw, _gamma, _beta, _dgamma, _dbeta, _runMean, _runVar, _mean, _var;
    readonly DeviceBuffer _b, _db;
    readonly List<(DeviceBuffer Theta, DeviceBuffer Grad, DeviceBuffer M, DeviceBuffer V)> _adam = [];
    DeviceBuffer[] _a = [], _z = [], _xhat = [], _bn = [], _masks = [];
    DeviceBuffer? _x, _dA, _dZ, _labels, _loss;
    int _t;

    public ProbeOptions Options { get; }

    public DeviceClassifier(IDevice dev, ProbeOptions options, ClassifierParameters initial) : base(dev)
    {
        Options = options.Validate();
        initial.Check(options, nameof(initial));
        _layers = options.Layers; _hidden = options.Hidden.Length;
        _in = [.. Enumerable.Range(0, _layers).Select(options.InputsOf)];
        _out = [.. Enumerable.Range(0, _layers).Select(options.OutputsOf)];
        DeviceBuffer Up(Matrix m) => StateBuffer(m.Data.Length, m.Data);
        DeviceBuffer Zeros(int n) => StateBuffer(n, new float[n]);
        _w = [.. initial.Weights.Select(Up)];
        _b = Up(initial.Bias);
        _gamma = [.. initial.Gammas.Select(Up)];
        _beta = [.. initial.Betas.Select(Up)];
        _runMean = [.. initial.RunningMeans.Select(Up)];
        _runVar = [.. initial.RunningVars.Select(Up)];
        _dw = [.. _w.Select(b => StateBuffer(b.Length))];
        _db = StateBuffer(_b.Length);
        _dgamma = [.. _gamma.Select(b => StateBuffer(b.Length))];
        _dbeta = [.. _gamma.Select(b => StateBuffer(b.Length))];
        _mean = [.. _gamma.Select(b => StateBuffer(b.Length))];
        _var = [.. _gamma.Select(b => StateBuffer(b.Length))];
        for (int l = 0; l < _layers; l++) _adam.Add((_w[l], _dw[l], Zeros(_w[l].Length), Zeros(_w[l].Length)));
        _adam.Add((_b, _db, Zeros(_b.Length), Zeros(_b.Length)));
        for (int l = 0; l < _hidden; l++)
        {
            _adam.Add((_gamma[l], _dgamma[l], Zeros(_gamma[l].Length), Zeros(_gamma[l].Length)));
            _adam.Add((_beta[l], _dbeta[l], Zeros(_beta[l].Length), Zeros(_beta[l].Length)));
        }
    }

    void Ensure(int b) => EnsureBatch(b, rows =>
    {
        _x = BatchBuffer(rows * Options.Inputs);
        _a = [.. Enumerable.Range(0, _layers).Select(l => BatchBuffer(rows * _in[l]))];
        _z = [.. Enumerable.Range(0, _layers).Select(l => BatchBuffer(rows * _out[l]))];
        _xhat = [.. Enumerable.Range(0, _hidden).Select(l => BatchBuffer(rows * _out[l]))];
        _bn = [.. Enumerable.Range(0, _hidden).Select(l => BatchBuffer(rows * _out[l]))];
        _masks = [.. Enumerable.Range(0, _hidden).Select(l => BatchBuffer(rows * _out[l]))];
        int widest = Math.Max(_in.Max(), _out.Max());
        _dA = BatchBuffer(rows * widest); _dZ = BatchBuffer(rows * widest);
        _labels = BatchBuffer(rows); _loss = BatchBuffer(rows);
    });

    void CheckX(Matrix x)
    {
        Check.Batch(x, Options.Inputs, "x");
    }

    void Launch1(string kernel, int count, params Arg[] args) => Device.Launch(kernel, count, 1, 64, 1, args);

    double ForwardBackward(Matrix x, ReadOnlySpan<int> labels, IReadOnlyList<Matrix> masks)
    {
        CheckX(x);
        Check.Labels(labels, x.Rows, Options.Classes, nameof(labels));
        Check.Masks(masks, x.Rows, Options.Hidden, "dropoutMasks");
        int b = x.Rows;
        Ensure(b);
        Device.Write(_x!, x.Data);
        Device.Write(_labels!, labels);
        for (int l = 0; l < _hidden; l++) Device.Write(_masks[l], masks[l].Data);
        float eps = (float)Options.BatchNormEpsilon;
        DeviceBuffer input = _x!;
        for (int l = 0; l < _hidden; l++)
        {
            int n = _out[l];
            Device.Gemm(false, true, b, n, _in[l], 1f, input, _in[l], _w[l], _in[l], 0f, _z[l], n);
            Launch1("batch_stats", n, b, n, _z[l], _mean[l], _var[l]);
            Launch1("bn_normalize", b * n, b, n, eps, _z[l], _mean[l], _var[l], _gamma[l], _beta[l], _xhat[l], _bn[l]);
            Launch1("elu", b * n, b * n, _bn[l], _a[l + 1]);
            Launch1("dropout", b * n, b * n, (float)(1.0 / (1.0 - Options.Dropout[l])), _a[l + 1], _masks[l], _a[l + 1]);
            input = _a[l + 1];
        }
        int last = _hidden, c = _out[last];
        Device.Gemm(false, true, b, c, _in[last], 1f, input, _in[last], _w[last], _in[last], 0f, _z[last], c);
        Launch1("add_bias", b * c, b, c, _z[last], _b);
        Launch1("softmax_ce", b, b, c, _z[last], _labels!, _dZ!, _loss!);
        for (int l = last; l >= 0; l--)
        {
            DeviceBuffer layerInput = l == 0 ? _x! : _a[l];
            int n = _in[l], m = _out[l];
            Device.Gemm(true, false, m, n, b, 1f, _dZ!, m, layerInput, n, 0f, _dw[l], n);
            if (l == last) Launch1("column_sums", m, b, m, _dZ!, _db);
            if (l == 0) break;
            Device.Gemm(false, false, b, n, m, 1f, _dZ!, m, _w[l], n, 0f, _dA!, n);
            int h = l - 1;
            Launch1("dropout", b * n, b * n, (float)(1.0 / (1.0 - Options.Dropout[h])), _dA!, _masks[h], _dA!);
            Launch1("elu_backward", b * n, b * n, _bn[h], _dA!, _dA!);
            Launch1("bn_backward_sums", n, b, n, _dA!, _xhat[h], _dgamma[h], _dbeta[h]);
            Launch1("bn_backward_dx", b * n, b, n, eps, _var[h], _gamma[h], _dA!, _xhat[h], _dgamma[h], _dbeta[h], _dZ!);
        }
        var rowLoss = new float[b];
        Device.Read(_loss!, rowLoss);
        double total = 0;
        foreach (var v in rowLoss) total += v;
        return total / b;
    }

    public (double Loss, ClassifierParameters Gradients) Gradients(Matrix x, ReadOnlySpan<int> labels, IReadOnlyList<Matrix> dropoutMasks)
    {
        double loss = ForwardBackward(x, labels, dropoutMasks);
        return (loss, Snapshot(_dw, _db, _dgamma, _dbeta, _mean, _var));
    }

    public double Step(Matrix x, ReadOnlySpan<int> labels, IReadOnlyList<Matrix> dropoutMasks, double learningRate)
    {
        Check.LearningRate(learningRate);
        double loss = ForwardBackward(x, labels, dropoutMasks);
        _t++;
        float c1 = (float)(1 - Math.Pow(Options.Beta1, _t)), c2 = (float)(1 - Math.Pow(Options.Beta2, _t));
        foreach (var (theta, grad, m, v) in _adam)
            Launch1("adam", theta.Length, theta.Length, (float)Options.Beta1, (float)Options.Beta2, c1, c2, (float)learningRate, (float)Options.Epsilon, theta, grad, m, v);
        for (int l = 0; l < _hidden; l++)
        {
            Launch1("running_update", _runMean[l].Length, _runMean[l].Length, (float)Options.BatchNormMomentum, _runMean[l], _mean[l]);
            Launch1("running_update", _runVar[l].Length, _runVar[l].Length, (float)Options.BatchNormMomentum, _runVar[l], _var[l]);
        }
        return loss;
    }

    public Matrix Logits(Matrix x)
    {
        CheckX(x);
        int b = x.Rows;
        var bufs = new List<DeviceBuffer>();
        DeviceBuffer Alloc(int n) { var d = Device.Alloc(n); bufs.Add(d); return d; }
        try
        {
            var input = Alloc(x.Data.Length);
            Device.Write(input, x.Data);
            for (int l = 0; l < _layers; l++)
            {
                int m = _out[l];
                var y = Alloc(b * m);
                Device.Gemm(false, true, b, m, _in[l], 1f, input, _in[l], _w[l], _in[l], 0f, y, m);
                if (l < _hidden)
                {
                    var scratch = Alloc(b * m);
                    Launch1("bn_normalize", b * m, b, m, (float)Options.BatchNormEpsilon, y, _runMean[l], _runVar[l], _gamma[l], _beta[l], scratch, y);
                    Launch1("elu", b * m, b * m, y, y);
                }
                else Launch1("add_bias", b * m, b, m, y, _b);
                input = y;
            }
            var result = new Matrix(b, Options.Classes);
            Device.Read(input, result.Data);
            return result;
        }
        finally { foreach (var d in bufs) d.Dispose(); }
    }

    public ClassifierParameters Read() => Snapshot(_w, _b, _gamma, _beta, _runMean, _runVar);

    ClassifierParameters Snapshot(DeviceBuffer[] w, DeviceBuffer b, DeviceBuffer[] g, DeviceBuffer[] beta, DeviceBuffer[] mean, DeviceBuffer[] var)
    {
        Matrix Down(DeviceBuffer d, int rows, int cols) => ReadMatrix(d, rows, cols);
        return new(
            [.. Enumerable.Range(0, _layers).Select(l => Down(w[l], _out[l], _in[l]))], Down(b, 1, Options.Classes),
            [.. g.Select(d => Down(d, 1, d.Length))], [.. beta.Select(d => Down(d, 1, d.Length))],
            [.. mean.Select(d => Down(d, 1, d.Length))], [.. var.Select(d => Down(d, 1, d.Length))]);
    }

}

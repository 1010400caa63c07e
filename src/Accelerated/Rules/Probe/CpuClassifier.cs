using Hebb.Contracts;
using Hebb.Accelerated.Backends.Cpu;

namespace Hebb.Accelerated.Rules.Probe;

/// <summary>
/// The probe classifier in float32 on the CPU (reference: Hebb.Reference.Probe.gradients / step / logits):
/// for each hidden layer linear (no bias) -> batch norm -> ELU -> dropout, then linear, softmax cross-entropy, Adam.
/// The GEMMs (x W^T forward, dy^T x and dy W backward) go through <see cref="IGemm"/>; buffers are kept
/// per layer and grown to the largest batch seen. The first layer's input gradient is never computed.
/// </summary>
public sealed class CpuClassifier : IClassifier
{
    readonly IGemm _gemm;
    readonly int _layers, _hidden;
    readonly int[] _in, _out;
    // parameters
    readonly float[][] _w, _gamma, _beta, _runMean, _runVar;
    readonly float[] _b;   // the output layer's bias (hidden layers have none: batch norm's beta is their shift)
    // gradients and batch statistics
    readonly float[][] _dw, _dgamma, _dbeta, _mean, _var, _invStd;
    readonly float[] _db;
    // Adam moments, one pair per tensor in the order of Tensors()
    readonly float[][] _m1, _m2;
    int _t;
    // activations (B x width), grown on demand
    readonly float[][] _a, _z, _xhat, _bn;
    float[] _dA = [], _dZ = [], _logits = [];
    int _capacity;

    public ProbeOptions Options { get; }

    public CpuClassifier(IGemm gemm, ProbeOptions options, ClassifierParameters initial)
    {
        Options = options.Validate();
        initial.Check(options, nameof(initial));
        _gemm = gemm;
        _layers = options.Layers; _hidden = options.Hidden.Length;
        _in = [.. Enumerable.Range(0, _layers).Select(options.InputsOf)];
        _out = [.. Enumerable.Range(0, _layers).Select(options.OutputsOf)];
        _w = [.. initial.Weights.Select(m => (float[])m.Data.Clone())];
        _b = (float[])initial.Bias.Data.Clone();
        _gamma = [.. initial.Gammas.Select(m => (float[])m.Data.Clone())];
        _beta = [.. initial.Betas.Select(m => (float[])m.Data.Clone())];
        _runMean = [.. initial.RunningMeans.Select(m => (float[])m.Data.Clone())];
        _runVar = [.. initial.RunningVars.Select(m => (float[])m.Data.Clone())];
        _dw = [.. _w.Select(x => new float[x.Length])];
        _db = new float[_b.Length];
        _dgamma = [.. _gamma.Select(x => new float[x.Length])];
        _dbeta = [.. _beta.Select(x => new float[x.Length])];
        _mean = [.. _gamma.Select(x => new float[x.Length])];
        _var = [.. _gamma.Select(x => new float[x.Length])];
        _invStd = [.. _gamma.Select(x => new float[x.Length])];
        var tensors = Tensors().ToList();
        _m1 = [.. tensors.Select(t => new float[t.Theta.Length])];
        _m2 = [.. tensors.Select(t => new float[t.Theta.Length])];
        _a = new float[_layers][]; _z = new float[_layers][]; _xhat = new float[_hidden][]; _bn = new float[_hidden][];
    }

    IEnumerable<(float[] Theta, float[] Grad)> Tensors()
    {
        for (int l = 0; l < _layers; l++) yield return (_w[l], _dw[l]);
        yield return (_b, _db);
        for (int l = 0; l < _hidden; l++) { yield return (_gamma[l], _dgamma[l]); yield return (_beta[l], _dbeta[l]); }
    }

    void Ensure(int b)
    {
        if (b <= _capacity) return;
        _capacity = b;
        for (int l = 0; l < _layers; l++)
        {
            if (l > 0) _a[l] = new float[b * _in[l]];
            _z[l] = new float[b * _out[l]];
        }
        for (int l = 0; l < _hidden; l++) { _xhat[l] = new float[b * _out[l]]; _bn[l] = new float[b * _out[l]]; }
        int widest = Math.Max(_in.Max(), _out.Max());
        _dA = new float[b * widest]; _dZ = new float[b * widest];
    }

    void CheckX(Matrix x)
    {
        Check.Batch(x, Options.Inputs, "x");
    }

    void CheckAll(Matrix x, ReadOnlySpan<int> labels, IReadOnlyList<Matrix> masks)
    {
        CheckX(x);
        Check.Labels(labels, x.Rows, Options.Classes, nameof(labels));
        Check.Masks(masks, x.Rows, Options.Hidden, "dropoutMasks");
    }

    /// <summary>Forward (training mode) and backward into the gradient buffers; returns the loss.</summary>
    double ForwardBackward(Matrix x, ReadOnlySpan<int> labels, IReadOnlyList<Matrix> masks)
    {
        int b = x.Rows;
        Ensure(b);
        float[] input = x.Data;
        for (int l = 0; l < _hidden; l++)
        {
            int n = _out[l];
            CpuProbeKernels.Linear(_gemm, input, b, _in[l], _w[l], [], n, _z[l]);
            CpuProbeKernels.BatchStats(_z[l], b, n, _mean[l], _var[l]);
            CpuProbeKernels.Normalize(_z[l], b, n, _mean[l], _var[l], (float)Options.BatchNormEpsilon, _gamma[l], _beta[l], _xhat[l], _bn[l], _invStd[l]);
            var next = _a[l + 1].AsSpan(0, b * n);
            CpuProbeKernels.Elu(_bn[l].AsSpan(0, b * n), next);
            CpuProbeKernels.Dropout(next, masks[l].Data, (float)Options.Dropout[l], next);
            input = _a[l + 1];
        }
        int last = _hidden, c = _out[last];
        CpuProbeKernels.Linear(_gemm, input, b, _in[last], _w[last], _b, c, _z[last]);
        double loss = CpuProbeKernels.SoftmaxCrossEntropy(_z[last], b, c, labels, _dZ);

        for (int l = last; l >= 0; l--)
        {
            float[] layerInput = l == 0 ? x.Data : _a[l];
            int n = _in[l], m = _out[l];
            // dZ holds dLoss/dZ_l; dA <- dZ W_l (skipped for the first layer), dW_l, db_l.
            CpuProbeKernels.LinearBackward(_gemm, layerInput, b, n, _w[l], m, _dZ, l == 0 ? Span<float>.Empty : _dA.AsSpan(0, b * n), _dw[l],
                                     l == last ? _db : Span<float>.Empty);
            if (l == 0) break;
            int h = l - 1; // the hidden layer whose output was this layer's input
            var dA = _dA.AsSpan(0, b * n);
            CpuProbeKernels.Dropout(dA, masks[h].Data, (float)Options.Dropout[h], dA);
            CpuProbeKernels.EluBackward(_bn[h].AsSpan(0, b * n), dA, dA);
            CpuProbeKernels.BatchNormBackward(_xhat[h], _invStd[h], b, n, _gamma[h], dA, _dZ.AsSpan(0, b * n), _dgamma[h], _dbeta[h]);
        }
        return loss;
    }

    public (double Loss, ClassifierParameters Gradients) Gradients(Matrix x, ReadOnlySpan<int> labels, IReadOnlyList<Matrix> dropoutMasks)
    {
        CheckAll(x, labels, dropoutMasks);
        double loss = ForwardBackward(x, labels, dropoutMasks);
        return (loss, Snapshot(_dw, _db, _dgamma, _dbeta, _mean, _var));
    }

    public double Step(Matrix x, ReadOnlySpan<int> labels, IReadOnlyList<Matrix> dropoutMasks, double learningRate)
    {
        CheckAll(x, labels, dropoutMasks);
        Check.LearningRate(learningRate);
        double loss = ForwardBackward(x, labels, dropoutMasks);
        _t++;
        float b1 = (float)Options.Beta1, b2 = (float)Options.Beta2, eps = (float)Options.Epsilon, lr = (float)learningRate;
        float c1 = (float)(1 - Math.Pow(Options.Beta1, _t)), c2 = (float)(1 - Math.Pow(Options.Beta2, _t));
        int k = 0;
        foreach (var (theta, grad) in Tensors()) { CpuAdam.Step(theta, grad, _m1[k], _m2[k], b1, b2, c1, c2, lr, eps); k++; }
        float mom = (float)Options.BatchNormMomentum;
        for (int l = 0; l < _hidden; l++)
            for (int j = 0; j < _runMean[l].Length; j++)
            {
                _runMean[l][j] = mom * _runMean[l][j] + (1f - mom) * _mean[l][j];
                _runVar[l][j] = mom * _runVar[l][j] + (1f - mom) * _var[l][j];
            }
        return loss;
    }

    public Matrix Logits(Matrix x)
    {
        CheckX(x);
        int b = x.Rows;
        float[] input = x.Data;
        float[] scratch = [];
        for (int l = 0; l < _layers; l++)
        {
            int m = _out[l];
            var y = new float[b * m];
            CpuProbeKernels.Linear(_gemm, input, b, _in[l], _w[l], l == _hidden ? _b : [], m, y);
            if (l < _hidden)
            {
                if (scratch.Length < b * m) scratch = new float[b * m];
                var inv = new float[m];
                CpuProbeKernels.Normalize(y, b, m, _runMean[l], _runVar[l], (float)Options.BatchNormEpsilon, _gamma[l], _beta[l], scratch, y, inv);
                CpuProbeKernels.Elu(y, y);
            }
            input = y;
        }
        return new Matrix(b, Options.Classes, input);
    }

    public ClassifierParameters Read() => Snapshot(_w, _b, _gamma, _beta, _runMean, _runVar);

    ClassifierParameters Snapshot(float[][] w, float[] b, float[][] g, float[][] beta, float[][] mean, float[][] var) => new(
        [.. Enumerable.Range(0, _layers).Select(l => new Matrix(_out[l], _in[l], (float[])w[l].Clone()))],
        new Matrix(1, b.Length, (float[])b.Clone()),
        [.. g.Select(v => new Matrix(1, v.Length, (float[])v.Clone()))],
        [.. beta.Select(v => new Matrix(1, v.Length, (float[])v.Clone()))],
        [.. mean.Select(v => new Matrix(1, v.Length, (float[])v.Clone()))],
        [.. var.Select(v => new Matrix(1, v.Length, (float[])v.Clone()))]);

    public void Dispose() { }
}

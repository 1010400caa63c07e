using Hebb.Contracts;

using Hebb.Accelerated.Backends.Cpu;
using Hebb.Accelerated.Backends.Device;

namespace Hebb.Accelerated.Rules.TopLayer;

/// <summary>Krotov &amp; Hopfield's top layer (eq. 1, appendix B) on a GPU backend; reference Hebb.Reference.TopLayer.
/// S and Adam's moments stay on the device.</summary>
public sealed class DeviceTopLayer : ITopLayer
{
    readonly IDevice _dev;
    readonly int _c, _hd;
    readonly DeviceBuffer _s, _m1, _m2, _grad;
    DeviceBuffer? _hBuf, _z, _dz, _labels, _loss;
    int _capacity, _t;

    public TopLayerOptions Options { get; }

    public DeviceTopLayer(IDevice dev, TopLayerOptions options, Matrix initialWeights)
    {
        Options = options.Validate();
        Check.State(initialWeights, options.Classes, options.Hidden, nameof(initialWeights));
        _dev = dev;
        _c = options.Classes; _hd = options.Hidden;
        _s = dev.Alloc(_c * _hd); _m1 = dev.Alloc(_c * _hd); _m2 = dev.Alloc(_c * _hd); _grad = dev.Alloc(_c * _hd);
        dev.Write(_s, initialWeights.Data);
        var zeros = new float[_c * _hd];
        dev.Write(_m1, zeros); dev.Write(_m2, zeros);
    }

    void Ensure(int b)
    {
        if (b <= _capacity) return;
        foreach (var buf in new[] { _hBuf, _z, _dz, _labels, _loss }) buf?.Dispose();
        _capacity = b;
        _hBuf = _dev.Alloc(b * _hd); _z = _dev.Alloc(b * _c); _dz = _dev.Alloc(b * _c); _labels = _dev.Alloc(b); _loss = _dev.Alloc(b);
    }

    void CheckBatch(Matrix hidden)
    {
        Check.Batch(hidden, _hd, nameof(hidden));
    }

    void ForwardOnDevice(Matrix hidden)
    {
        int b = hidden.Rows;
        Ensure(b);
        _dev.Write(_hBuf!, hidden.Data);
        _dev.Gemm(false, true, b, _c, _hd, 1f, _hBuf!, _hd, _s, _hd, 0f, _z!, _c);
        _dev.Launch("tanh_inplace", b * _c, 1, 256, 1, b * _c, _z!);
    }

    double LossAndDz(Matrix hidden, ReadOnlySpan<int> labels)
    {
        CheckBatch(hidden);
        Check.Labels(labels, hidden.Rows, _c, nameof(labels));
        ForwardOnDevice(hidden);
        int b = hidden.Rows;
        _dev.Write(_labels!, labels);
        _dev.Launch("top_loss_dz", b, 1, 64, 1, b, _c, (float)Options.M, _z!, _labels!, _dz!, _loss!);
        var rowLoss = new float[b];
        _dev.Read(_loss!, rowLoss);
        double total = 0;
        foreach (var x in rowLoss) total += x;
        return total;
    }

    public Matrix Forward(Matrix hidden)
    {
        CheckBatch(hidden);
        ForwardOnDevice(hidden);
        var m = new Matrix(hidden.Rows, _c);
        _dev.Read(_z!, m.Data);
        return m;
    }

    public double Loss(Matrix hidden, ReadOnlySpan<int> labels) => LossAndDz(hidden, labels);

    public Matrix Gradient(Matrix hidden, ReadOnlySpan<int> labels)
    {
        LossAndDz(hidden, labels);
        _dev.Gemm(true, false, _c, _hd, hidden.Rows, 1f, _dz!, _c, _hBuf!, _hd, 0f, _grad, _hd);
        var g = new Matrix(_c, _hd);
        _dev.Read(_grad, g.Data);
        return g;
    }

    public double Step(Matrix hidden, ReadOnlySpan<int> labels, double learningRate)
    {
        Check.LearningRate(learningRate);
        double loss = LossAndDz(hidden, labels);
        _dev.Gemm(true, false, _c, _hd, hidden.Rows, 1f, _dz!, _c, _hBuf!, _hd, 0f, _grad, _hd);
        _t++;
        float c1 = (float)(1 - Math.Pow(Options.Beta1, _t)), c2 = (float)(1 - Math.Pow(Options.Beta2, _t));
        _dev.Launch("adam", _c * _hd, 1, 256, 1, _c * _hd, (float)Options.Beta1, (float)Options.Beta2, c1, c2, (float)learningRate, (float)Options.Epsilon, _s, _grad, _m1, _m2);
        return loss;
    }

    public Matrix ReadWeights()
    {
        var m = new Matrix(_c, _hd);
        _dev.Read(_s, m.Data);
        return m;
    }

    public void Dispose()
    {
        foreach (var buf in new[] { _s, _m1, _m2, _grad, _hBuf, _z, _dz, _labels, _loss }) buf?.Dispose();
    }
}

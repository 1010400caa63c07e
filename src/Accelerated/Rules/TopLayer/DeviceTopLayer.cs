using Hebb.Contracts;
using Hebb.Accelerated.Backends.Device;

namespace Hebb.Accelerated.Rules.TopLayer;

/// <summary>Krotov &amp; Hopfield's top layer (eq. 1, appendix B) on a GPU backend; reference Hebb.Reference.TopLayer.
/// S and Adam's moments stay on the device.</summary>
public sealed class DeviceTopLayer : DeviceLayer, ITopLayer
{
    readonly int _c, _hd;
    readonly DeviceBuffer _s, _m1, _m2, _grad;
    DeviceBuffer? _hBuf, _z, _dz, _labels, _loss;
    int _t;

    public TopLayerOptions Options { get; }

    public DeviceTopLayer(IDevice dev, TopLayerOptions options, Matrix initialWeights) : base(dev)
    {
        Options = options.Validate();
        Check.State(initialWeights, options.Classes, options.Hidden, nameof(initialWeights));
        _c = options.Classes; _hd = options.Hidden;
        var zeros = new float[_c * _hd];
        _s = StateBuffer(_c * _hd, initialWeights.Data); _m1 = StateBuffer(_c * _hd, zeros); _m2 = StateBuffer(_c * _hd, zeros); _grad = StateBuffer(_c * _hd);
    }

    void Ensure(int b) => EnsureBatch(b, rows =>
    {
        _hBuf = BatchBuffer(rows * _hd); _z = BatchBuffer(rows * _c); _dz = BatchBuffer(rows * _c); _labels = BatchBuffer(rows); _loss = BatchBuffer(rows);
    });

    void CheckBatch(Matrix hidden)
    {
        Check.Batch(hidden, _hd, nameof(hidden));
    }

    void ForwardOnDevice(Matrix hidden)
    {
        int b = hidden.Rows;
        Ensure(b);
        Device.Write(_hBuf!, hidden.Data);
        Device.Gemm(false, true, b, _c, _hd, 1f, _hBuf!, _hd, _s, _hd, 0f, _z!, _c);
        Device.Launch("tanh_inplace", b * _c, 1, 256, 1, b * _c, _z!);
    }

    double LossAndDz(Matrix hidden, ReadOnlySpan<int> labels)
    {
        CheckBatch(hidden);
        Check.Labels(labels, hidden.Rows, _c, nameof(labels));
        ForwardOnDevice(hidden);
        int b = hidden.Rows;
        Device.Write(_labels!, labels);
        Device.Launch("top_loss_dz", b, 1, 64, 1, b, _c, (float)Options.M, _z!, _labels!, _dz!, _loss!);
        var rowLoss = new float[b];
        Device.Read(_loss!, rowLoss);
        double total = 0;
        foreach (var x in rowLoss) total += x;
        return total;
    }

    public Matrix Forward(Matrix hidden)
    {
        CheckBatch(hidden);
        ForwardOnDevice(hidden);
        return ReadMatrix(_z!, hidden.Rows, _c);
    }

    public double Loss(Matrix hidden, ReadOnlySpan<int> labels) => LossAndDz(hidden, labels);

    public Matrix Gradient(Matrix hidden, ReadOnlySpan<int> labels)
    {
        LossAndDz(hidden, labels);
        Device.Gemm(true, false, _c, _hd, hidden.Rows, 1f, _dz!, _c, _hBuf!, _hd, 0f, _grad, _hd);
        return ReadMatrix(_grad, _c, _hd);
    }

    public double Step(Matrix hidden, ReadOnlySpan<int> labels, double learningRate)
    {
        Check.LearningRate(learningRate);
        double loss = LossAndDz(hidden, labels);
        Device.Gemm(true, false, _c, _hd, hidden.Rows, 1f, _dz!, _c, _hBuf!, _hd, 0f, _grad, _hd);
        _t++;
        float c1 = (float)(1 - Math.Pow(Options.Beta1, _t)), c2 = (float)(1 - Math.Pow(Options.Beta2, _t));
        Device.Launch("adam", _c * _hd, 1, 256, 1, _c * _hd, (float)Options.Beta1, (float)Options.Beta2, c1, c2, (float)learningRate, (float)Options.Epsilon, _s, _grad, _m1, _m2);
        return loss;
    }

    public Matrix ReadWeights()
    {
        return ReadMatrix(_s, _c, _hd);
    }

}

using Hebb.Contracts;

namespace Hebb.Accelerated.Backends.Device;

/// <summary>
/// Krotov &amp; Hopfield's fast rule (section 3) on a GPU backend; reference Hebb.Reference.Krotov.fastStep.
/// W and Wp = sign(W)|W|^(p-1) stay in device memory, and a step never waits for the device: upload the batch,
/// one GEMM for the currents, the ranking (a work-group per sample), then the update of the rows the ranks touch
/// (a work-group per row and 64 inputs reads the ranks and adds its terms in sample order; the paper's variant
/// applies the update in the same kernel, the authors' code first takes max |ds|). No dense second GEMM, no read-back.
/// </summary>
public sealed class DeviceKrotovLayer : IKrotovLayer
{
    /// <summary>Work-items of a ranking work-group: RANK_T in krotov.cl.</summary>
    const int RankWorkItems = 128;
    readonly IDevice _dev;
    readonly int _k, _n, _rowGroups;
    readonly DeviceBuffer _w, _wp, _maxAbs, _touched, _ds, _partial;
    DeviceBuffer? _v, _cur, _win, _lose, _h;
    int _capacity;

    public KrotovOptions Options { get; }

    public DeviceKrotovLayer(IDevice dev, KrotovOptions options, Matrix initialWeights)
    {
        Options = options.Validate();
        Check.State(initialWeights, options.Units, options.Inputs, nameof(initialWeights));
        _dev = dev;
        _k = options.Units; _n = options.Inputs;
        _rowGroups = (_n + 63) / 64;
        bool code = options.Variant != KrotovVariant.Paper;
        _w = dev.Alloc(_k * _n);
        _wp = dev.Alloc(_k * _n);
        _maxAbs = dev.Alloc(1);
        _touched = dev.Alloc(_k);
        _ds = dev.Alloc(code ? _k * _n : 1);
        _partial = dev.Alloc(code ? _k * _rowGroups : 1);
        dev.Write(_w, initialWeights.Data);
        dev.Launch("krotov_pow", _k * _n, 1, 256, 1, _k * _n, (float)options.P, _w, _wp);
    }

    void Ensure(int b)
    {
        if (b <= _capacity) return;
        foreach (var buf in new[] { _v, _cur, _win, _lose, _h }) buf?.Dispose();
        _capacity = b;
        _v = _dev.Alloc(b * _n); _cur = _dev.Alloc(b * _k); _h = _dev.Alloc(b * _k);
        _win = _dev.Alloc(b); _lose = _dev.Alloc(b);
    }

    void CheckBatch(Matrix batch)
    {
        Check.Batch(batch, _n, nameof(batch));
    }

    void Currents(Matrix batch, int b)
    {
        Ensure(b);
        _dev.Write(_v!, batch.Data);
        _dev.Gemm(false, true, b, _k, _n, 1f, _v!, _n, _wp, _n, 0f, _cur!, _k);
    }

    public Matrix Currents(Matrix batch)
    {
        CheckBatch(batch);
        Currents(batch, batch.Rows);
        var m = new Matrix(batch.Rows, _k);
        _dev.Read(_cur!, m.Data);
        return m;
    }

    public void Step(Matrix batch, double learningRate)
    {
        CheckBatch(batch);
        Check.LearningRate(learningRate);
        int b = batch.Rows;
        Currents(batch, b);
        _dev.Launch("krotov_rank", b * RankWorkItems, 1, RankWorkItems, 1, b, _k, Options.RankK, _cur!, _win!, _lose!);
        bool paper = Options.Variant == KrotovVariant.Paper;
        float rp = (float)Math.Pow(Options.R, Options.P), p = (float)Options.P;
        _dev.Launch("krotov_rows", _n, _k, 64, 1, b, _n, _k, rp, -(float)Options.Delta, paper ? 1 : 0, (float)(learningRate / b), p,
                    _win!, _lose!, _v!, _cur!, _w, _wp, _ds, _partial, _touched);
        if (paper) return;
        _dev.Launch("max_abs", 256, 1, 256, 1, _k * _rowGroups, _partial, _maxAbs);
        _dev.Launch("krotov_apply", _n, _k, 64, 1, _n, _k, (float)learningRate, (float)Options.Precision, p, _touched, _ds, _maxAbs, _w, _wp);
    }

    public Matrix Encode(Matrix batch, double n)
    {
        CheckBatch(batch);
        if (!(n >= 1.0) || double.IsInfinity(n)) throw new ArgumentOutOfRangeException(nameof(n), n, "n (the power of the rectified activation) must be a finite number >= 1");
        int b = batch.Rows;
        Ensure(b);
        _dev.Write(_v!, batch.Data);
        _dev.Gemm(false, true, b, _k, _n, 1f, _v!, _n, _w, _n, 0f, _h!, _k);
        _dev.Launch("relu_pow", b * _k, 1, 256, 1, b * _k, (float)n, _h!);
        var h = new Matrix(b, _k);
        _dev.Read(_h!, h.Data);
        return h;
    }

    public Matrix ReadWeights()
    {
        var m = new Matrix(_k, _n);
        _dev.Read(_w, m.Data);
        return m;
    }

    public void Dispose()
    {
        foreach (var buf in new[] { _w, _wp, _maxAbs, _touched, _ds, _partial, _v, _cur, _win, _lose, _h }) buf?.Dispose();
    }
}

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

/// <summary>The engine on a GPU backend (opencl or cuda): every layer runs on the device.</summary>
public sealed class DeviceEngine(IDevice device, string backend) : IEngine, IDisposable
{
    public IDevice Device { get; } = device;
    public string Name => $"accelerated/{backend} ({Device.Name})";
    public IKrotovLayer CreateKrotov(KrotovOptions options, Matrix initialWeights) => new DeviceKrotovLayer(Device, options, initialWeights);
    public ITopLayer CreateTopLayer(TopLayerOptions options, Matrix initialWeights) => new DeviceTopLayer(Device, options, initialWeights);
    public IClassifier CreateClassifier(ProbeOptions options, ClassifierParameters initial) => new DeviceClassifier(Device, options, initial);
    public ILayerOps Layers => new DeviceLayerOps(Device);
    public IConvLayer CreateConv(ConvOptions options, Matrix filters) => new DeviceConvLayer(Device, options, filters);
    public void Dispose() => Device.Dispose();
}

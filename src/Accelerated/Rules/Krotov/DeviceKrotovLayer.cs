using Hebb.Contracts;
using Hebb.Accelerated.Backends.Device;

namespace Hebb.Accelerated.Rules.Krotov;

/// <summary>
/// Krotov &amp; Hopfield's fast rule (section 3) on a GPU backend; reference Hebb.Reference.Krotov.fastStep.
/// W and Wp = sign(W)|W|^(p-1) stay in device memory, and a step never waits for the device: upload the batch,
/// one GEMM for the currents, the ranking (a work-group per sample), then the update of the rows the ranks touch
/// (a work-group per row and 64 inputs reads the ranks and adds its terms in sample order; the paper's variant
/// applies the update in the same kernel, the authors' code first takes max |ds|). No dense second GEMM, no read-back.
/// </summary>
public sealed class DeviceKrotovLayer : DeviceLayer, IKrotovLayer
{
    /// <summary>Work-items of a ranking work-group: RANK_T in krotov.cl.</summary>
    const int RankWorkItems = 128;
    readonly int _k, _n, _rowGroups;
    readonly DeviceBuffer _w, _wp, _maxAbs, _touched, _ds, _partial;
    DeviceBuffer? _v, _cur, _win, _lose, _h;

    public KrotovOptions Options { get; }

    public DeviceKrotovLayer(IDevice dev, KrotovOptions options, Matrix initialWeights) : base(dev)
    {
        Options = options.Validate();
        Check.State(initialWeights, options.Units, options.Inputs, nameof(initialWeights));
        _k = options.Units; _n = options.Inputs;
        _rowGroups = (_n + 63) / 64;
        bool code = options.Variant != KrotovVariant.Paper;
        _w = StateBuffer(_k * _n, initialWeights.Data);
        _wp = StateBuffer(_k * _n);
        _maxAbs = StateBuffer(1);
        _touched = StateBuffer(_k);
        _ds = StateBuffer(code ? _k * _n : 1);
        _partial = StateBuffer(code ? _k * _rowGroups : 1);
        dev.Launch("krotov_pow", _k * _n, 1, 256, 1, _k * _n, (float)options.P, _w, _wp);
    }

    void Ensure(int b) => EnsureBatch(b, rows =>
    {
        _v = BatchBuffer(rows * _n); _cur = BatchBuffer(rows * _k); _h = BatchBuffer(rows * _k);
        _win = BatchBuffer(rows); _lose = BatchBuffer(rows);
    });

    void CheckBatch(Matrix batch)
    {
        Check.Batch(batch, _n, nameof(batch));
    }

    void Currents(Matrix batch, int b)
    {
        Ensure(b);
        Device.Write(_v!, batch.Data);
        Device.Gemm(false, true, b, _k, _n, 1f, _v!, _n, _wp, _n, 0f, _cur!, _k);
    }

    public Matrix Currents(Matrix batch)
    {
        CheckBatch(batch);
        Currents(batch, batch.Rows);
        return ReadMatrix(_cur!, batch.Rows, _k);
    }

    public void Step(Matrix batch, double learningRate)
    {
        CheckBatch(batch);
        Check.LearningRate(learningRate);
        int b = batch.Rows;
        Currents(batch, b);
        Device.Launch("krotov_rank", b * RankWorkItems, 1, RankWorkItems, 1, b, _k, Options.RankK, _cur!, _win!, _lose!);
        bool paper = Options.Variant == KrotovVariant.Paper;
        float rp = (float)Math.Pow(Options.R, Options.P), p = (float)Options.P;
        Device.Launch("krotov_rows", _n, _k, 64, 1, b, _n, _k, rp, -(float)Options.Delta, paper ? 1 : 0, (float)(learningRate / b), p,
                    _win!, _lose!, _v!, _cur!, _w, _wp, _ds, _partial, _touched);
        if (paper) return;
        Device.Launch("max_abs", 256, 1, 256, 1, _k * _rowGroups, _partial, _maxAbs);
        Device.Launch("krotov_apply", _n, _k, 64, 1, _n, _k, (float)learningRate, (float)Options.Precision, p, _touched, _ds, _maxAbs, _w, _wp);
    }

    public Matrix Encode(Matrix batch, double n)
    {
        CheckBatch(batch);
        if (!(n >= 1.0) || double.IsInfinity(n)) throw new ArgumentOutOfRangeException(nameof(n), n, "n (the power of the rectified activation) must be a finite number >= 1");
        int b = batch.Rows;
        Ensure(b);
        Device.Write(_v!, batch.Data);
        Device.Gemm(false, true, b, _k, _n, 1f, _v!, _n, _w, _n, 0f, _h!, _k);
        Device.Launch("relu_pow", b * _k, 1, 256, 1, b * _k, (float)n, _h!);
        return ReadMatrix(_h!, b, _k);
    }

    public Matrix ReadWeights() => ReadMatrix(_w, _k, _n);
}

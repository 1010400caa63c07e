using System.Numerics.Tensors;
using Hebb.Contracts;
using Hebb.Accelerated.Backends.Cpu;

namespace Hebb.Accelerated.Rules.TopLayer;

/// <summary>
/// Krotov &amp; Hopfield's supervised top layer (eq. 1 and appendix B) in float32 on the CPU:
/// c = tanh(S h), C = sum |c - t|^m with t one-hot in {-1, +1}, trained by Adam.
/// Reference: Hebb.Reference.TopLayer.forward / loss / gradient / adamStep.
/// Two GEMMs a step (Z = H S^T, dS = dZ^T H); the rest is elementwise SIMD.
/// </summary>
public sealed class CpuTopLayer : ITopLayer
{
    readonly IGemm _gemm;
    readonly int _c, _h;
    readonly float[] _s, _m1, _m2, _grad;
    float[] _z = [], _dz = [];
    int _t;

    public TopLayerOptions Options { get; }

    public CpuTopLayer(IGemm gemm, TopLayerOptions options, Matrix initialWeights)
    {
        Options = options.Validate();
        Check.State(initialWeights, options.Classes, options.Hidden, nameof(initialWeights));
        _gemm = gemm;
        _c = options.Classes; _h = options.Hidden;
        _s = (float[])initialWeights.Data.Clone();
        _m1 = new float[_s.Length]; _m2 = new float[_s.Length]; _grad = new float[_s.Length];
    }

    void CheckBatch(Matrix hidden)
    {
        Check.Batch(hidden, _h, nameof(hidden));
    }

    /// <summary>z = tanh(H S^T) into _z (B x C).</summary>
    void ForwardInto(Matrix hidden)
    {
        int b = hidden.Rows;
        if (_z.Length < b * _c) { _z = new float[b * _c]; _dz = new float[b * _c]; }
        _gemm.Sgemm(false, true, b, _c, _h, 1f, hidden.Data, _h, _s, _h, 0f, _z, _c);
        TensorPrimitives.Tanh(_z.AsSpan(0, b * _c), _z.AsSpan(0, b * _c));
    }

    /// <summary>Loss, and dC/dz = m |c - t|^(m-1) sign(c - t) (1 - c^2) into _dz.</summary>
    double LossAndDz(ReadOnlySpan<int> labels, int b)
    {
        float m = (float)Options.M;
        double loss = 0;
        for (int s = 0; s < b; s++)
            for (int a = 0; a < _c; a++)
            {
                int i = s * _c + a;
                float c = _z[i];
                float d = c - (a == labels[s] ? 1f : -1f);
                float ad = MathF.Abs(d);
                float pm1 = MathF.Pow(ad, m - 1f);
                loss += (double)pm1 * ad;
                _dz[i] = m * pm1 * MathF.Sign(d) * (1f - c * c);
            }
        return loss;
    }

    void GradientInto(Matrix hidden) =>
        _gemm.Sgemm(true, false, _c, _h, hidden.Rows, 1f, _dz, _c, hidden.Data, _h, 0f, _grad, _h);

    public Matrix Forward(Matrix hidden)
    {
        CheckBatch(hidden);
        ForwardInto(hidden);
        return new Matrix(hidden.Rows, _c, _z.AsSpan(0, hidden.Rows * _c).ToArray());
    }

    public double Loss(Matrix hidden, ReadOnlySpan<int> labels)
    {
        CheckBatch(hidden);
        Check.Labels(labels, hidden.Rows, _c, nameof(labels));
        ForwardInto(hidden);
        return LossAndDz(labels, hidden.Rows);
    }

    public Matrix Gradient(Matrix hidden, ReadOnlySpan<int> labels)
    {
        Loss(hidden, labels);
        GradientInto(hidden);
        return new Matrix(_c, _h, (float[])_grad.Clone());
    }

    public double Step(Matrix hidden, ReadOnlySpan<int> labels, double learningRate)
    {
        Check.LearningRate(learningRate);
        double loss = Loss(hidden, labels);
        GradientInto(hidden);
        _t++;
        float b1 = (float)Options.Beta1, b2 = (float)Options.Beta2, eps = (float)Options.Epsilon;
        float c1 = (float)(1 - Math.Pow(Options.Beta1, _t)), c2 = (float)(1 - Math.Pow(Options.Beta2, _t));
        float lr = (float)learningRate;
        CpuAdam.Step(_s, _grad, _m1, _m2, b1, b2, c1, c2, lr, eps);
        return loss;
    }

    public Matrix ReadWeights() => new(_c, _h, (float[])_s.Clone());

    public void Dispose() { }
}

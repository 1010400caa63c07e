using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Hebb.Contracts;

namespace Hebb.Accelerated.Backends.Cpu;

/// <summary>
/// Krotov &amp; Hopfield's fast minibatch rule (PNAS 2019, section 3 with eq. 2) in float32 on the CPU.
/// Reference: Hebb.Reference.Krotov.fastStep / fastUpdateSum / current.
///
/// A step costs one GEMM: the currents I (B x K) = V (B x N) * Wp^T, with Wp = sign(W)|W|^(p-1)
/// kept up to date row by row. The learning activation g has two non-zeros per sample (the winner
/// and the k-th ranked unit), so the update sum_b g (R^p v_b - I_b W) touches at most 2B rows and is
/// accumulated sparsely: no second dense GEMM, no pass over untouched rows. The authors'-code variant sums the
/// update into accumulator rows first (its scale needs the sum's largest element); eq. 1 as written adds straight
/// into W. With p = 2, Wp is W itself (no copy). Buffers are reused:
/// nothing is allocated inside a step once the largest batch size has been seen.
/// </summary>
public sealed class CpuKrotovLayer : IKrotovLayer
{
    readonly IGemm _gemm;
    readonly int _k, _n;
    readonly float[] _w, _wp;          // W and sign(W)|W|^(p-1), K x N
    readonly float[] _acc;             // sum_b g R^p v_b for touched rows, K x N (zero elsewhere)
    readonly float[] _xx;              // sum_b g I_b for touched rows, K
    readonly bool[] _touched;
    readonly int[] _touchedList;
    float[] _currents = [];            // B x K
    int[] _winners = [], _losers = [];
    (float Value, int Index)[] _top = [];  // per sample, its k largest currents (B x k)
    readonly float _p;
    readonly float _rp;

    public KrotovOptions Options { get; }

    public CpuKrotovLayer(IGemm gemm, KrotovOptions options, Matrix initialWeights)
    {
        Options = options.Validate();
        Check.State(initialWeights, options.Units, options.Inputs, nameof(initialWeights));
        _gemm = gemm;
        _k = options.Units; _n = options.Inputs;
        _p = (float)options.P;
        _rp = (float)Math.Pow(options.R, options.P);
        _w = (float[])initialWeights.Data.Clone();
        _wp = _p == 2f ? _w : new float[_w.Length];   // p = 2: Wp is W itself
        _acc = new float[_w.Length];
        _xx = new float[_k];
        _touched = new bool[_k];
        _touchedList = new int[_k];
        for (int mu = 0; mu < _k; mu++) PowRow(mu);
    }

    /// <summary>Wp_mu = sign(W_mu)|W_mu|^(p-1), with exact shortcuts for p = 2, 3, 4.</summary>
    void PowRow(int mu)
    {
        var w = new ReadOnlySpan<float>(_w, mu * _n, _n);
        var wp = new Span<float>(_wp, mu * _n, _n);
        switch (_p)
        {
            case 2f: if (!ReferenceEquals(_wp, _w)) w.CopyTo(wp); break;
            case 3f: TensorPrimitives.Abs(w, wp); TensorPrimitives.Multiply(wp, w, wp); break;
            case 4f: TensorPrimitives.Multiply(w, w, wp); TensorPrimitives.Multiply(wp, w, wp); break;
            default:
                for (int i = 0; i < w.Length; i++)
                    wp[i] = MathF.CopySign(MathF.Pow(MathF.Abs(w[i]), _p - 1f), w[i]) * (w[i] == 0f ? 0f : 1f);
                break;
        }
    }

    void CheckBatch(Matrix batch)
    {
        Check.Batch(batch, _n, nameof(batch));
    }

    void ComputeCurrents(Matrix batch)
    {
        int b = batch.Rows;
        if (_currents.Length < b * _k) _currents = new float[b * _k];
        _gemm.Sgemm(false, true, b, _k, _n, 1f, batch.Data, _n, _wp, _n, 0f, _currents, _k);
    }

    public Matrix Currents(Matrix batch)
    {
        CheckBatch(batch);
        ComputeCurrents(batch);
        return new Matrix(batch.Rows, _k, _currents.AsSpan(0, batch.Rows * _k).ToArray());
    }

    public void Step(Matrix batch, double learningRate)
    {
        CheckBatch(batch);
        Check.LearningRate(learningRate);
        int bsz = batch.Rows;
        ComputeCurrents(batch);
        if (_winners.Length < bsz) { _winners = new int[bsz]; _losers = new int[bsz]; _top = new (float, int)[bsz * Options.RankK]; }
        Rank(bsz);

        float g2 = -(float)Options.Delta;
        var v = batch.Data;
        if (Options.Variant == KrotovVariant.Paper) { StepPaper(bsz, v, g2, (float)(learningRate / bsz)); return; }

        // ds_mu = sum_b g_mu(b) (R^p v_b - I_b,mu W_mu) = acc_mu - xx_mu W_mu, over touched rows only.
        int touched = 0;
        for (int s = 0; s < bsz; s++)
        {
            Accumulate(_winners[s], 1f, s, v, ref touched);
            if (_losers[s] >= 0) Accumulate(_losers[s], g2, s, v, ref touched);
        }
        float maxAbs = 0f;
        for (int t = 0; t < touched; t++)
        {
            int mu = _touchedList[t];
            // acc <- W * (-xx) + acc  (the row of ds)
            maxAbs = MathF.Max(maxAbs, MultiplyAddMaxAbs(new ReadOnlySpan<float>(_w, mu * _n, _n), -_xx[mu], new Span<float>(_acc, mu * _n, _n)));
        }
        float scale = (float)(learningRate / Math.Max(maxAbs, Options.Precision));
        for (int t = 0; t < touched; t++)
        {
            int mu = _touchedList[t];
            var acc = new Span<float>(_acc, mu * _n, _n);
            AddScaled(acc, scale, new Span<float>(_w, mu * _n, _n));
            acc.Clear();
            _xx[mu] = 0f;
            _touched[mu] = false;
            PowRow(mu);
        }
    }

    /// <summary>
    /// Eq. 1 as written (the sum times eps / B): W_mu + scale (sum_b g R^p v_b - xx_mu W_mu), computed as
    /// W_mu (1 - scale xx_mu) + sum_b (scale g R^p) v_b straight into W: the scale is known before the sum, so no
    /// accumulator rows are needed.
    /// </summary>
    void StepPaper(int bsz, float[] v, float g2, float scale)
    {
        int touched = 0;
        for (int s = 0; s < bsz; s++)
        {
            Touch(_winners[s], 1f, s, ref touched);
            if (_losers[s] >= 0) Touch(_losers[s], g2, s, ref touched);
        }
        // Each touched row is scaled by (1 - scale xx) just before the first v is added to it.
        float a1 = scale * _rp, a2 = scale * _rp * g2;
        for (int s = 0; s < bsz; s++)
        {
            var vs = new ReadOnlySpan<float>(v, s * _n, _n);
            AddScaled(vs, a1, ScaledRow(_winners[s], scale));
            if (_losers[s] >= 0) AddScaled(vs, a2, ScaledRow(_losers[s], scale));
        }
        if (!ReferenceEquals(_wp, _w))
            for (int t = 0; t < touched; t++) PowRow(_touchedList[t]);
    }

    /// <summary>Row mu of W, first multiplied by (1 - scale xx_mu) if it is still marked touched (then unmarked).</summary>
    Span<float> ScaledRow(int mu, float scale)
    {
        var row = new Span<float>(_w, mu * _n, _n);
        if (_touched[mu])
        {
            AddScaled(row, -scale * _xx[mu], row);   // row + row * (-scale xx) = row (1 - scale xx), up to rounding
            _xx[mu] = 0f;
            _touched[mu] = false;
        }
        return row;
    }

    /// <summary>Marks row mu touched (once per step) and adds g I_s,mu to its xx.</summary>
    void Touch(int mu, float g, int s, ref int touched)
    {
        if (!_touched[mu]) { _touched[mu] = true; _touchedList[touched++] = mu; }
        _xx[mu] += g * _currents[s * _k + mu];
    }

    /// <summary>w = x * a + w (not fused).</summary>
    static void AddScaled(ReadOnlySpan<float> x, float a, Span<float> w)
    {
        int i = 0, n = Vector256<float>.Count;
        if (Vector256.IsHardwareAccelerated && w.Length >= n)
        {
            var aa = Vector256.Create(a);
            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float wr = ref MemoryMarshal.GetReference(w);
            for (; i <= w.Length - n; i += n)
                (Vector256.LoadUnsafe(ref xr, (nuint)i) * aa + Vector256.LoadUnsafe(ref wr, (nuint)i)).StoreUnsafe(ref wr, (nuint)i);
        }
        for (; i < w.Length; i++) w[i] = x[i] * a + w[i];
    }

    /// <summary>acc = x * y + acc (not fused, as TensorPrimitives.MultiplyAdd); returns max |acc|.</summary>
    static float MultiplyAddMaxAbs(ReadOnlySpan<float> x, float y, Span<float> acc)
    {
        int i = 0, w = Vector256<float>.Count;
        float max = 0f;
        if (Vector256.IsHardwareAccelerated && acc.Length >= w)
        {
            var yy = Vector256.Create(y);
            var m = Vector256<float>.Zero;
            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float ar = ref MemoryMarshal.GetReference(acc);
            for (; i <= acc.Length - w; i += w)
            {
                var r = Vector256.LoadUnsafe(ref xr, (nuint)i) * yy + Vector256.LoadUnsafe(ref ar, (nuint)i);
                r.StoreUnsafe(ref ar, (nuint)i);
                m = Vector256.Max(m, Vector256.Abs(r));
            }
            var h = Vector128.Max(m.GetLower(), m.GetUpper());
            h = Vector128.Max(h, Vector128.Shuffle(h, Vector128.Create(2, 3, 0, 1)));
            h = Vector128.Max(h, Vector128.Shuffle(h, Vector128.Create(1, 0, 3, 2)));
            max = h.ToScalar();
        }
        for (; i < acc.Length; i++)
        {
            acc[i] = x[i] * y + acc[i];
            max = MathF.Max(max, MathF.Abs(acc[i]));
        }
        return max;
    }

    void Accumulate(int mu, float g, int s, float[] v, ref int touched)
    {
        Touch(mu, g, s, ref touched);
        TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(v, s * _n, _n), g * _rp,
            new ReadOnlySpan<float>(_acc, mu * _n, _n), new Span<float>(_acc, mu * _n, _n));
    }

    /// <summary>Per sample: the top-ranked unit and the k-th ranked (-1 when K &lt; k); ties to the lowest index.</summary>
    void Rank(int bsz)
    {
        if (bsz * (long)_k >= 1 << 16) Parallel.For(0, bsz, s => RankOne(s));
        else for (int s = 0; s < bsz; s++) RankOne(s);
    }

    /// <summary>The k largest currents of sample s (<see cref="TopK.Find"/>: ties go to the lower unit index).</summary>
    void RankOne(int s)
    {
        int rankK = Options.RankK;
        var top = _top.AsSpan(s * rankK, rankK);
        int filled = TopK.Find(new ReadOnlySpan<float>(_currents, s * _k, _k), top);
        _winners[s] = top[0].Index;
        _losers[s] = filled == rankK ? top[rankK - 1].Index : -1;
    }

    public Matrix Encode(Matrix batch, double n)
    {
        CheckBatch(batch);
        if (!(n >= 1.0) || double.IsInfinity(n)) throw new ArgumentOutOfRangeException(nameof(n), n, "n (the power of the rectified activation) must be a finite number >= 1");
        var h = new Matrix(batch.Rows, _k);
        Encoder.Encode(_gemm, batch.Data, batch.Rows, _n, _w, _k, (float)n, h.Data);
        return h;
    }

    public Matrix ReadWeights() => new(_k, _n, (float[])_w.Clone());

    public void Dispose() { }
}

/// <summary>Eq. 1 of Krotov &amp; Hopfield: h = ReLU(V W^T)^n. Reference: Hebb.Reference.TopLayer.encode.</summary>
public static class Encoder
{
    public static void Encode(IGemm gemm, ReadOnlySpan<float> v, int rows, int n, ReadOnlySpan<float> w, int k, float power, Span<float> h)
    {
        gemm.Sgemm(false, true, rows, k, n, 1f, v, n, w, k == 0 ? 0 : n, 0f, h, k);
        var hh = h.Slice(0, rows * k);
        TensorPrimitives.Max(hh, 0f, hh);
        if (power == 1f) return;
        if (power == 2f) { TensorPrimitives.Multiply(hh, hh, hh); return; }
        TensorPrimitives.Pow(hh, power, hh);
    }
}

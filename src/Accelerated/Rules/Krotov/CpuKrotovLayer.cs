using System.Numerics.Tensors;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Hebb.Contracts;
using Hebb.Accelerated.Backends.Cpu;

namespace Hebb.Accelerated.Rules.Krotov;

/// <summary>
/// Krotov &amp; Hopfield's fast minibatch rule (PNAS 2019, section 3 with eq. 2) in float32 on the CPU.
/// Reference: Hebb.Reference.Krotov.fastStep / fastUpdateSum / current.
///
/// A step costs one GEMM: the currents I (B x K) = V (B x N) * Wp^T, with Wp = sign(W)|W|^(p-1)
/// kept up to date row by row. Where k &lt;= 2 (NNL-CONV's m = 2) and the CPU has 512-bit vectors, the GEMM writes
/// I^T (K x B, a column per sample) instead, which <see cref="TopK.Columns"/> ranks 64 samples at a time in one pass
/// (<see cref="RankByColumns"/>). The learning activation g has two non-zeros per sample (the winner and the k-th ranked unit), so the update sum_b g (R^p v_b - I_b W) touches at most 2B rows and is
/// accumulated sparsely: no second dense GEMM, no pass over untouched rows. The authors'-code variant sums the
/// update into accumulator rows first (its scale needs the sum's largest element); eq. 1 as written adds straight
/// into W. With p = 2, Wp is W itself (no copy). Buffers are reused:
/// nothing is allocated inside a step once the largest batch size has been seen.
/// <see cref="Learn"/> splits the units over threads (<see cref="Lane"/>s): each computes, ranks and updates its own
/// rows of W, which stay in its core's cache.
/// </summary>
public sealed class CpuKrotovLayer : IKrotovLayer, IMinibatchLearner
{
    readonly IGemm _gemm;
    readonly int _k, _n;
    readonly float[] _w, _wp;          // W and sign(W)|W|^(p-1), K x N
    readonly float[] _acc;             // sum_b g R^p v_b for touched rows, K x N (zero elsewhere)
    readonly float[] _xx;              // sum_b g I_b for touched rows, K
    readonly bool[] _touched;
    readonly int[] _touchedList;       // the touched rows of a lane [lo, hi), listed from index lo
    readonly Lane _whole;              // all K units: Step's one lane
    readonly float _p;
    readonly float _rp;

    /// <summary>
    /// One thread's share of a step: units [Lo, Hi); their currents; each sample's k best among them; and the step's
    /// terms on its units (sample order; each sample's winner before its k-th ranked unit), found by merging every
    /// lane's lists. The currents are B x (Hi - Lo) (a row per sample), or, where <see cref="TopK.Columns"/> ranks them
    /// (k &lt;= 2, 512-bit vectors, at least 2 units), (Hi - Lo) x Ld with a column per sample (<see cref="Ld"/> &gt; 0).
    /// </summary>
    sealed class Lane(int lo, int hi)
    {
        public readonly int Lo = lo, Hi = hi;
        public float[] Currents = [];
        public int Ld;                 // > 0: the currents are unit-major, Ld columns (samples) per unit
        public (float Value, int Index)[] Top = [];
        public int[] Filled = [];
        public Term[] Terms = [];
        public int TermCount;

        /// <summary>Buffers for up to <paramref name="rows"/> samples; the currents by columns if
        /// <paramref name="byColumns"/> and the lane has 2 units or more (TopK.Columns needs 2).</summary>
        public void Ensure(int rows, int rankK, bool byColumns)
        {
            int width = Hi - Lo;
            bool columns = byColumns && width >= 2;
            if (Filled.Length >= rows && columns == Ld > 0) return;
            Ld = columns ? TopK.ColumnsLd(rows) : 0;
            Currents = new float[(columns ? Ld : rows) * width];
            Top = new (float, int)[rows * rankK];
            Filled = new int[rows];
            Terms = new Term[2 * rows];
        }
    }

    /// <summary>A term g(unit) (R^p v_sample - I W_unit) of the update: unit, sample, g (1 or -Delta) and the current I.</summary>
    readonly record struct Term(int Unit, int Sample, float G, float Current);

    public KrotovOptions Options { get; }

    /// <summary>Whether the steps compute the currents with a column per sample and rank them by
    /// <see cref="TopK.Columns"/>; otherwise a row per sample, ranked by <see cref="TopK.Find"/>. Both rank alike. By
    /// default where Columns can: k &lt;= 2 and 512-bit vectors (<see cref="TopK.ColumnsAccelerated"/>). A test or a
    /// benchmark may turn it off, or on where it can.</summary>
    public bool RankByColumns
    {
        get => _byColumns;
        set => _byColumns = !value || CanRankByColumns ? value
            : throw new ArgumentException($"RankByColumns needs k <= 2 (RankK is {Options.RankK}) and 512-bit vectors (here: {TopK.ColumnsAccelerated})", nameof(RankByColumns));
    }
    bool _byColumns;

    bool CanRankByColumns => Options.RankK <= 2 && TopK.ColumnsAccelerated;

    /// <summary>Threads that <see cref="Learn"/> splits its steps and the making of minibatches over. By default the
    /// machine's cores, at most 16, on a machine of 4 or more; 1 on fewer, where a caller does better to feed
    /// <see cref="Step"/> from a second thread (docs/PERFORMANCE.md).</summary>
    public int Threads
    {
        get => _threads;
        set => _threads = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Threads), value, "Threads must be >= 1");
    }
    int _threads = DefaultThreads;

    /// <summary>The default of <see cref="Threads"/> on this machine.</summary>
    public static int DefaultThreads => Environment.ProcessorCount >= 4 ? Math.Min(Environment.ProcessorCount, 16) : 1;

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
        _whole = new Lane(0, _k);
        _byColumns = CanRankByColumns;
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

    /// <summary>The lane's currents for the first <paramref name="rows"/> samples of <paramref name="v"/>:
    /// V Wp[lo..hi)^T, or its transpose Wp[lo..hi) V^T where the lane ranks by columns.</summary>
    void ComputeCurrents(Lane lane, float[] v, int rows)
    {
        int width = lane.Hi - lane.Lo;
        var wp = _wp.AsSpan(lane.Lo * _n);
        if (lane.Ld > 0) _gemm.Sgemm(false, true, width, rows, _n, 1f, wp, _n, v, _n, 0f, lane.Currents, lane.Ld);
        else _gemm.Sgemm(false, true, rows, width, _n, 1f, v, _n, wp, _n, 0f, lane.Currents, width);
    }

    /// <summary>Every sample's k largest currents among the lane's units (ties go to the lower unit index: the order
    /// of <see cref="TopK.Find"/>), as unit indices.</summary>
    void Rank(Lane lane, int rows)
    {
        if (lane.Ld > 0)
        {
            int rankK = Options.RankK, width = lane.Hi - lane.Lo;
            TopK.Columns(lane.Currents, width, rows, lane.Ld, lane.Top, rankK);
            lane.Filled.AsSpan(0, rows).Fill(rankK);
            if (lane.Lo != 0)
                foreach (ref var t in lane.Top.AsSpan(0, rows * rankK)) t.Index += lane.Lo;
        }
        else if (rows * (long)(lane.Hi - lane.Lo) >= 1 << 16 && lane == _whole) Parallel.For(0, rows, s => RankOne(lane, s));
        else for (int s = 0; s < rows; s++) RankOne(lane, s);
    }

    /// <summary>Sample s's k largest currents among the lane's units (<see cref="TopK.Find"/>), from a row per sample.</summary>
    void RankOne(Lane lane, int s)
    {
        int rankK = Options.RankK, width = lane.Hi - lane.Lo;
        var top = lane.Top.AsSpan(s * rankK, rankK);
        int filled = TopK.Find(new ReadOnlySpan<float>(lane.Currents, s * width, width), top);
        if (lane.Lo != 0)
            for (int j = 0; j < filled; j++) top[j].Index += lane.Lo;
        lane.Filled[s] = filled;
    }

    /// <summary>
    /// Each sample's winner (g = 1) and k-th ranked unit (g = -Delta; none when K &lt; k), among all units: the lanes'
    /// lists merged by current and then by the lower index, the order of a ranking over all units. The terms on
    /// <paramref name="into"/>'s units are listed there, in sample order.
    /// </summary>
    void Decide(Lane[] lanes, Lane into, int rows)
    {
        int rankK = Options.RankK, lo = into.Lo, hi = into.Hi, count = 0;
        float g2 = -(float)Options.Delta;
        var terms = into.Terms;
        Span<(float Value, int Index)> best = stackalloc (float, int)[rankK];
        for (int s = 0; s < rows; s++)
        {
            int filled = 0;
            foreach (var lane in lanes)
                for (int j = 0; j < lane.Filled[s]; j++)
                {
                    var c = lane.Top[s * rankK + j];
                    if (filled == rankK && !Before(c, best[rankK - 1])) break;   // the rest of this list ranks lower
                    int pos = filled == rankK ? rankK - 1 : filled++;
                    while (pos > 0 && Before(c, best[pos - 1])) { best[pos] = best[pos - 1]; pos--; }
                    best[pos] = c;
                }
            if (Owns(best[0].Index, lo, hi)) terms[count++] = new Term(best[0].Index, s, 1f, best[0].Value);
            if (filled == rankK && Owns(best[rankK - 1].Index, lo, hi)) terms[count++] = new Term(best[rankK - 1].Index, s, g2, best[rankK - 1].Value);
        }
        into.TermCount = count;
    }

    static bool Before((float Value, int Index) a, (float Value, int Index) b) => a.Value > b.Value || (a.Value == b.Value && a.Index < b.Index);

    public Matrix Currents(Matrix batch)
    {
        CheckBatch(batch);
        var currents = new Matrix(batch.Rows, _k);
        _gemm.Sgemm(false, true, batch.Rows, _k, _n, 1f, batch.Data, _n, _wp, _n, 0f, currents.Data, _k);
        return currents;
    }

    public void Step(Matrix batch, double learningRate)
    {
        CheckBatch(batch);
        Check.LearningRate(learningRate);
        int bsz = batch.Rows;
        _whole.Ensure(bsz, Options.RankK, _byColumns);
        var phases = Phases;
        phases?.Start();
        ComputeCurrents(_whole, batch.Data, bsz);
        phases?.End(0);
        Rank(_whole, bsz);
        phases?.End(1);
        Decide([_whole], _whole, bsz);
        phases?.End(2);
        if (Options.Variant == KrotovVariant.Paper) UpdatePaper(_whole, batch.Data, (float)(learningRate / bsz));
        else
        {
            var (touched, maxAbs) = AccumulateCode(_whole, batch.Data);
            ApplyCode(CodeScale(learningRate, maxAbs), _whole.Lo, touched);
        }
        phases?.End(3);
    }

    /// <summary>The phases of <see cref="Step"/>, in order, as <see cref="Phases"/> numbers them.</summary>
    public static readonly string[] PhaseNames = ["currents", "rank", "decide", "update"];

    /// <summary>An optional hook told where each <see cref="Step"/> starts and where each of its phases
    /// (<see cref="PhaseNames"/>: the currents GEMM, each sample's k best units, the update's terms, the update of W's
    /// touched rows) ends; null (the default) tells nothing. <see cref="Learn"/> does not call it. hebb bench nnl-conv
    /// times the phases with a <see cref="PhaseTimes"/>.</summary>
    public IPhaseHook? Phases { get; set; }

    /// <summary>
    /// A pass over <paramref name="source"/> on <see cref="Threads"/> threads (the caller's and Threads - 1 more), each
    /// owning a contiguous block of units (a <see cref="Lane"/>): it computes the currents of every sample for its
    /// units and ranks them among its units; after a barrier, it merges the lanes' lists (every sample's winner and
    /// k-th unit), updates its own rows of W, and makes its share of the next minibatch's rows; a second barrier, and
    /// the next step. A row of W is only ever read and written by its own thread. Each row's terms are added in sample
    /// order, as <see cref="Step"/> adds them, so the result is Step's on each minibatch: bit for bit with the managed
    /// GEMM; with OpenBLAS, whose rounding of a current depends on how the product is blocked, up to that rounding.
    /// The authors'-code variant needs one more barrier, for the update's largest element. A minibatch with a value
    /// that is not finite stops the pass before its step (the steps before it are kept).
    /// </summary>
    public void Learn(IMinibatchSource source, double learningRate, Action? afterStep = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        Check.LearningRate(learningRate);
        if (source.Columns != _n)
            throw new ArgumentException($"source makes rows of {source.Columns} columns; this layer has {_n} inputs", nameof(source));
        int maxRows = source.MaxRows;
        if (maxRows < 1) throw new ArgumentException($"source's MaxRows is {maxRows}; it must be >= 1", nameof(source));
        int workers = Math.Min(Threads, _k);
        var lanes = new Lane[workers];
        for (int t = 0; t < workers; t++)
        {
            lanes[t] = new Lane(_k * t / workers, _k * (t + 1) / workers);
            lanes[t].Ensure(maxRows, Options.RankK, _byColumns);
        }
        float[][] buffers = [new float[maxRows * _n], new float[maxRows * _n]];
        var rowsOf = new int[2];
        var maxAbs = new float[workers];
        var barrier = new SpinBarrier(workers);
        bool paper = Options.Variant == KrotovVariant.Paper;
        ExceptionDispatchInfo? failure = null;

        int Checked(int rows) => rows >= 0 && rows <= maxRows ? rows
            : throw new InvalidOperationException($"source's Next() returned {rows} rows; a minibatch has 0 to MaxRows = {maxRows}");
        void Make(int t, int cur)
        {
            int rows = rowsOf[cur], from = rows * t / workers, to = rows * (t + 1) / workers;
            source.Fill(from, to, buffers[cur]);
            Check.Finite(buffers[cur].AsSpan(from * _n, (to - from) * _n), _n, from, "source");
        }

        void Work(int t)
        {
            var lane = lanes[t];
            try
            {
                Make(t, 0);
                barrier.Wait();
                for (int cur = 0; rowsOf[cur] > 0; cur ^= 1)
                {
                    int rows = rowsOf[cur];
                    var v = buffers[cur];
                    ComputeCurrents(lane, v, rows);
                    Rank(lane, rows);
                    if (t == 0) rowsOf[cur ^ 1] = Checked(source.Next());
                    barrier.Wait();
                    Decide(lanes, lane, rows);
                    if (paper) UpdatePaper(lane, v, (float)(learningRate / rows));
                    else
                    {
                        (int touched, maxAbs[t]) = AccumulateCode(lane, v);
                        barrier.Wait();
                        float max = 0f;
                        foreach (float m in maxAbs) max = MathF.Max(max, m);
                        ApplyCode(CodeScale(learningRate, max), lane.Lo, touched);
                    }
                    Make(t, cur ^ 1);
                    if (t == 0) afterStep?.Invoke();
                    barrier.Wait();
                }
            }
            catch (SpinBarrier.BrokenException) { }
            catch (Exception ex)
            {
                Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(ex), null);
                barrier.Break();
            }
        }

        rowsOf[0] = Checked(source.Next());
        var helpers = new Thread[workers - 1];
        for (int t = 1; t < workers; t++)
        {
            int id = t;
            helpers[t - 1] = new Thread(() => Work(id)) { IsBackground = true, Name = $"hebb krotov worker {id}" };
            helpers[t - 1].Start();
        }
        Work(0);
        foreach (var h in helpers) h.Join();
        failure?.Throw();
    }

    /// <summary>
    /// Eq. 1 as written (the sum times eps / B) on the lane's rows: W_mu + scale (sum_b g R^p v_b - xx_mu W_mu),
    /// computed as W_mu (1 - scale xx_mu) + sum_b (scale g R^p) v_b straight into W: the scale is known before the sum,
    /// so no accumulator rows are needed.
    /// </summary>
    void UpdatePaper(Lane lane, float[] v, float scale)
    {
        var terms = lane.Terms.AsSpan(0, lane.TermCount);
        int lo = lane.Lo, touched = 0;
        foreach (var t in terms) Touch(t.Unit, t.G * t.Current, lo, ref touched);
        // Each touched row is scaled by (1 - scale xx) just before the first v is added to it.
        float a = scale * _rp;
        foreach (var t in terms) AddScaled(new ReadOnlySpan<float>(v, t.Sample * _n, _n), a * t.G, ScaledRow(t.Unit, scale));
        if (!ReferenceEquals(_wp, _w))
            for (int i = 0; i < touched; i++) PowRow(_touchedList[lo + i]);
    }

    /// <summary>Whether unit mu (-1: none) is among rows [lo, hi).</summary>
    static bool Owns(int mu, int lo, int hi) => (uint)(mu - lo) < (uint)(hi - lo);

    /// <summary>
    /// The authors'-code variant, first half, on the lane's rows: ds_mu = sum_b g (R^p v_b - I_b,mu W_mu) = acc_mu -
    /// xx_mu W_mu for the touched rows, left in the accumulator; returns the touched rows' count (listed from
    /// _touchedList[lo]) and their largest |ds|.
    /// </summary>
    (int Touched, float MaxAbs) AccumulateCode(Lane lane, float[] v)
    {
        int lo = lane.Lo, touched = 0;
        foreach (var t in lane.Terms.AsSpan(0, lane.TermCount)) Accumulate(t.Unit, t.G, t.Current, t.Sample, v, lo, ref touched);
        float maxAbs = 0f;
        for (int t = 0; t < touched; t++)
        {
            int mu = _touchedList[lo + t];
            // acc <- W * (-xx) + acc  (the row of ds)
            maxAbs = MathF.Max(maxAbs, MultiplyAddMaxAbs(new ReadOnlySpan<float>(_w, mu * _n, _n), -_xx[mu], new Span<float>(_acc, mu * _n, _n)));
        }
        return (touched, maxAbs);
    }

    /// <summary>The authors'-code variant's scale: the learning rate over the update's largest |element| (floored).</summary>
    float CodeScale(double learningRate, float maxAbs) => (float)(learningRate / Math.Max(maxAbs, Options.Precision));

    /// <summary>The authors'-code variant, second half: W += scale ds on the touched rows listed from _touchedList[lo].</summary>
    void ApplyCode(float scale, int lo, int touched)
    {
        for (int t = 0; t < touched; t++)
        {
            int mu = _touchedList[lo + t];
            var acc = new Span<float>(_acc, mu * _n, _n);
            AddScaled(acc, scale, new Span<float>(_w, mu * _n, _n));
            acc.Clear();
            _xx[mu] = 0f;
            _touched[mu] = false;
            PowRow(mu);
        }
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

    /// <summary>Marks row mu touched (once per step; listed from _touchedList[lo]) and adds gI = g I_s,mu to its xx.</summary>
    void Touch(int mu, float gI, int lo, ref int touched)
    {
        if (!_touched[mu]) { _touched[mu] = true; _touchedList[lo + touched++] = mu; }
        _xx[mu] += gI;
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

    void Accumulate(int mu, float g, float current, int s, float[] v, int lo, ref int touched)
    {
        Touch(mu, g * current, lo, ref touched);
        TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(v, s * _n, _n), g * _rp,
            new ReadOnlySpan<float>(_acc, mu * _n, _n), new Span<float>(_acc, mu * _n, _n));
    }

    public Matrix Encode(Matrix batch, double n)
    {
        CheckBatch(batch);
        if (!(n >= 1.0) || double.IsInfinity(n)) throw new ArgumentOutOfRangeException(nameof(n), n, "n (the power of the rectified activation) must be a finite number >= 1");
        var h = new Matrix(batch.Rows, _k);
        KrotovEncoding.Encode(_gemm, batch.Data, batch.Rows, _n, _w, _k, (float)n, h.Data);
        return h;
    }

    public Matrix ReadWeights() => new(_k, _n, (float[])_w.Clone());

    public void Dispose() { }
}

using System.Numerics.Tensors;
using Hebb.Accelerated.Backends.Cpu;
using Hebb.Contracts;

namespace Hebb.Accelerated.Rules.Csnn;

/// <summary>
/// CSNN's masked multi-head sconv layer (Stuhr &amp; Brauer, section III) in float32 on the CPU. Reference:
/// Hebb.Reference.Csnn. A neuron's masked score p . (m o w) (eq. 7-9) is a dot product with the Hadamard product of
/// its mask and weights, so the scores of every map for all patches are one GEMM against those products. eq. 3's h depends
/// only on the BMU and the neuron, so the SOM update (eq. 6) is H_a^T A, with A the patches summed by their BMU and H_a
/// the rows of H of the step's active BMUs (few: a product of Neurons x Active x PatchSize), then eq. 5 normalizes
/// every weight vector. The masks' rules reduce, element by element, to closed forms: with
/// S_j = sum_k m_kj^2 and T_ij = the same over k &lt; i, eq. 12 through Hebb is p_j^2 m_ij (1 - gamma S_j) and eq. 13
/// through Oja is p_j^2 m_ij (1 - gamma T_ij - m_ij^2); so eq. 14 / 15 need only B, the squared patches summed by their
/// BMU (H_a^T B with the NH option) (docs/EQUATIONS.md). Inside, patches, weights and input masks are position-major
/// (<see cref="PositionMajor"/>); what goes in and out (images, weights, masks, scores) is channel-major, as everywhere.
/// </summary>
public sealed class CpuCsnnLayer : ICsnnLayer
{
    readonly IGemm _gemm;
    /// <summary>Each map's weights (Neurons x PatchSize) and masks (Neurons x MaskSize), position-major.</summary>
    readonly float[][] _w, _m;
    readonly int _k2;
    /// <summary>Eq. 3's h for every (BMU, neuron) pair of the grid, Neurons x Neurons: it depends on nothing else.</summary>
    readonly float[] _h;
    /// <summary>Every map's m o w (eq. 7-9), OutChannels x PatchSize (map after map), and whether each map's is that of
    /// the present weights and masks: a layer that no longer learns (the blocks before the one in training) makes it
    /// once.</summary>
    readonly float[] _e;
    readonly bool[] _eFresh;
    // Buffers of the batch, grown for the largest one so far: no allocation inside a step of the same size.
    float[] _x = [], _p = [], _r = [], _q2 = [], _a = [], _b = [];
    /// <summary>The batch's scores, rows x OutChannels: each patch's row holds every map's neurons, map after map.</summary>
    float[] _s = [];
    int[] _bmus = [];
    /// <summary>A step's active BMUs of the map being updated: slot of each neuron (-1: no patch chose it), the
    /// neurons by slot, and their rows of H.</summary>
    readonly int[] _slot, _winners;
    readonly float[] _ha;
    readonly double[] _before, _all;

    /// <summary>The active BMUs summed over steps and maps: the rows of H that eq. 6's product has used (what the
    /// benchmark's GEMM-only bound takes for that product's size).</summary>
    public long UpdatedRows { get; private set; }

    public CsnnOptions Options { get; }

    public CpuCsnnLayer(IGemm gemm, CsnnOptions options, IReadOnlyList<Matrix> weights, IReadOnlyList<Matrix> masks)
    {
        Options = options.Validate();
        options.CheckState(weights, masks);
        _gemm = gemm;
        _k2 = options.Kernel * options.Kernel;
        _w = [.. weights.Select(w => Inside(w.Data, patchLong: true))];
        _m = [.. masks.Select(m => Inside(m.Data, InputMasks))];
        int k = options.Neurons;
        _h = new float[k * k];
        for (int c = 0; c < k; c++)
            for (int i = 0; i < k; i++) _h[c * k + i] = (float)Neighbourhood(c, i);
        _e = new float[options.Maps * k * options.PatchSize];
        _eFresh = new bool[options.Maps];
        _q2 = new float[k * options.MaskSize];
        _a = new float[k * options.PatchSize];
        _b = new float[k * options.MaskSize];
        _slot = new int[k];
        _winners = new int[k];
        _ha = new float[k * k];
        _before = new double[options.MaskSize];
        _all = new double[options.MaskSize];
    }

    /// <summary>Makes the batch's buffers for <paramref name="rows"/> patch rows, where they are smaller.</summary>
    void Ensure(int rows)
    {
        int n = Options.PatchSize, k = Options.Neurons;
        if (_p.Length >= rows * n) return;
        _x = new float[rows / Options.Positions * ImageSize];
        _p = new float[rows * n];
        _r = new float[rows * Options.MaskSize];
        _s = new float[rows * Options.OutChannels];
        _bmus = new int[rows * Options.Maps];
    }

    int ImageSize => Options.Height * Options.Width * Options.Channels;

    bool InputMasks => Options.MaskKind == CsnnMaskKind.Input;

    /// <summary>A copy of channel-major rows in the layer's order: position-major where they are a patch long
    /// (weights, input masks); masks between layers, one coefficient a channel, have no positions to reorder.</summary>
    float[] Inside(float[] rows, bool patchLong) =>
        patchLong ? PositionMajor.Rows(rows, Options.Channels, _k2, toPositionMajor: true) : (float[])rows.Clone();

    /// <summary>The inverse of <see cref="Inside"/>: a channel-major copy of the layer's rows.</summary>
    float[] Outside(float[] rows, bool patchLong) =>
        patchLong ? PositionMajor.Rows(rows, Options.Channels, _k2, toPositionMajor: false) : (float[])rows.Clone();

    /// <summary>Every patch of every image into the batch's buffer, (B * Positions) x PatchSize, position-major
    /// patches: the images laid out channels-last first (in parallel over images), then the patches cut from them
    /// (in parallel over slices of the patches where they are many values: a batch of one image has many patches);
    /// returns the rows.</summary>
    int Patches(Matrix images)
    {
        int n = Options.PatchSize, positions = Options.Positions, rows = images.Rows * positions, size = ImageSize;
        int plane = Options.Height * Options.Width;
        Ensure(rows);
        var x = _x;
        var p = _p;
        Parallel.For(0, images.Rows, b => PositionMajor.FromChannelMajor(images.Row(b), x.AsSpan(b * size, size), Options.Channels, plane));
        Jobs(Slices(rows, least: 4), (long)rows * n, range =>
        {
            for (int r = range.Item1; r < range.Item2; r++)
                PositionMajor.Patch(Options, x.AsSpan(r / positions * size, size), r % positions, p.AsSpan(r * n, n));
        });
        return rows;
    }

    /// <summary>Eq. 7-9: every map's m o w for each neuron (a mask between layers repeated over the kernel's
    /// positions), OutChannels x PatchSize, map after map; each map's made again where its weights or masks changed.</summary>
    float[] Effective()
    {
        for (int h = 0; h < Options.Maps; h++)
        {
            if (_eFresh[h]) continue;
            int map = h;
            Rows(Options.Neurons, Options.PatchSize, i => EffectiveRow(map, i));
            _eFresh[h] = true;
        }
        return _e;
    }

    /// <summary>Eq. 7-9 for neuron i of map h: its row of m o w, position-major.</summary>
    void EffectiveRow(int h, int i)
    {
        int n = Options.PatchSize, ms = Options.MaskSize;
        var w = _w[h]; var m = _m[h];
        var e = _e.AsSpan((h * Options.Neurons + i) * n, n);
        if (InputMasks) TensorPrimitives.Multiply(w.AsSpan(i * n, n), m.AsSpan(i * ms, n), e);
        else if (!Options.CodePairing)   // each kernel position's C weights times the C mask coefficients
            for (int pos = 0; pos < _k2; pos++)
                TensorPrimitives.Multiply(w.AsSpan(i * n + pos * ms, ms), m.AsSpan(i * ms, ms), e.Slice(pos * ms, ms));
        else
            // The authors' code: channel-major patch element j = c * K*K + pos meets the weight of position j / C,
            // channel j % C (Csnn.weightAt), which is position-major element (j / C) * C + j % C = j.
            for (int pos = 0; pos < _k2; pos++)
                for (int c = 0; c < ms; c++) e[pos * ms + c] = w[i * n + c * _k2 + pos] * m[i * ms + c];
    }

    /// <summary>Eq. 8: every patch's masked score for every neuron of every map (P (m o w)^T, one GEMM for all maps),
    /// into the batch's scores, rows x OutChannels.</summary>
    void Score(int rows)
    {
        int n = Options.PatchSize, channels = Options.OutChannels;
        _gemm.Sgemm(false, true, rows, channels, n, 1f, _p, n, Effective(), n, 0f, _s, channels);
    }

    /// <summary>Eq. 8 in the output's channel-major layout: one GEMM for the whole batch (rows x OutChannels), then
    /// each image's block transposed into place, images in parallel, a single image too: with short patches the
    /// transposed product (m o w) P^T, written in place, is the slower one (docs/CSNN.md, "Position-major inside").</summary>
    public Matrix Forward(Matrix images)
    {
        int positions = Options.Positions, channels = Options.OutChannels;
        Scored(images);
        var y = new Matrix(images.Rows, Options.Features);
        var s = _s;
        Parallel.For(0, images.Rows, b =>
            PositionMajor.ToChannelMajor(s.AsSpan(b * positions * channels, positions * channels), y.Row(b), channels, positions));
        return y;
    }

    public Matrix Encode(Matrix images, CsnnNormalization normalization)
    {
        normalization.CheckFor(Options, nameof(normalization));
        Scored(images);
        return CsnnBlock.NormPool(_s, images.Rows, Options, normalization);
    }

    /// <summary>The images checked, cut into patches and scored (eq. 8) into the batch's scores, position-major.</summary>
    void Scored(Matrix images)
    {
        Check.Batch(images, ImageSize, nameof(images));
        Score(Patches(images));
    }

    public void Step(Matrix images, CsnnStep values)
    {
        Check.Batch(images, ImageSize, nameof(images));
        values.Validate();
        int n = Options.PatchSize, k = Options.Neurons, maps = Options.Maps;
        int rows = Patches(images);
        // Eq. 2 and section III-E: each map's BMU for each patch (ties: the lowest neuron), and the maps it updates.
        Score(rows);
        var scores = _s;
        var bmus = _bmus;
        bool allBmus = Options.AllBmus;
        Rows(rows, maps * k, q =>   // each patch on its own: in parallel over patches where there are enough scores
        {
            var all = scores.AsSpan(q * maps * k, maps * k);
            var b = bmus.AsSpan(q * maps, maps);
            if (allBmus)
                for (int h = 0; h < maps; h++) b[h] = TopK.Best(all.Slice(h * k, k));
            else
            {
                // The best score over every map's neurons, the lowest index on ties, is in the map whose BMU scores
                // highest (the lowest such map), at that map's BMU (its lowest best neuron): one search, not one a map.
                int best = TopK.Best(all);
                b.Fill(-1);
                b[best / k] = best % k;
            }
        });
        // Each patch's squares summed over the patch elements of each mask element (one for an input mask, the kernel's
        // K*K positions of a channel for a mask between layers): R, rows x MaskSize, what eq. 14 / 15 need of a patch.
        int ms = Options.MaskSize, inputs = n / ms;
        var p = _p;
        var r = _r;
        Rows(rows, n, q =>
        {
            var pq = p.AsSpan(q * n, n);
            var rq = r.AsSpan(q * ms, ms);
            TensorPrimitives.Multiply(pq[..ms], pq[..ms], rq);
            for (int pos = 1; pos < inputs; pos++) TensorPrimitives.MultiplyAdd(pq.Slice(pos * ms, ms), pq.Slice(pos * ms, ms), rq, rq);
        });
        for (int h = 0; h < maps; h++)
        {
            int map = h;
            // The neurons that are this map's BMU of some patch (patches the map lost left out), in order of first
            // appearance: only their rows of H carry eq. 6 (and eq. 14 / 15), so the products below are Neurons x
            // Active x PatchSize, not Neurons x Neurons x PatchSize (D-CSNN's later layers have a few dozen of hundreds).
            int active = 0;
            var slot = _slot;
            Array.Fill(slot, -1);
            for (int q = 0; q < rows; q++)
            {
                int c = bmus[q * maps + h];
                if (c >= 0 && slot[c] < 0) { slot[c] = active; _winners[active++] = c; }
            }
            UpdatedRows += active;
            if (active > 0) Learn(h, rows, active, values);
            // Eq. 6, eq. 5 and eq. 7-9 in blocks of weight rows, each block on one thread: its rows of W += a/N H_a^T A
            // by GEMM, then each row to unit length (a map no patch chose too, as the reference does) and its m o w
            // from the masks just updated, while the block is still in cache. The weights are read and written once
            // a step (at batch 1 the step is bound by that memory traffic), and A once a block, not once a row.
            var w = _w[h];
            float rate = (float)(values.SomRate / rows);
            int block = Math.Max(1, BlockValues / n), blocks = (k + block - 1) / block;
            int cols = (int)Math.Max(128, OpenBlasGemm.SmallNK / Math.Max(active, 1) - 1);
            Jobs(Enumerable.Range(0, blocks), (long)k * n, b =>
            {
                int i0 = b * block, count = Math.Min(block, k - i0);
                // In slices of A's columns small enough for each product to run on this thread (OpenBlasGemm.SmallNK).
                if (active > 0)
                    for (int j0 = 0; j0 < n; j0 += cols)
                        _gemm.Sgemm(true, false, count, Math.Min(cols, n - j0), active, rate, _ha.AsSpan(i0), k,
                                    _a.AsSpan(j0), n, 1f, w.AsSpan(i0 * n + j0), n);
                for (int i = i0; i < i0 + count; i++)
                {
                    var row = w.AsSpan(i * n, n);
                    float norm = TensorPrimitives.Norm(row);
                    if (norm > 0f) TensorPrimitives.Multiply(row, 1f / norm, row);
                    EffectiveRow(map, i);
                }
            });
            _eFresh[h] = true;
        }
    }

    /// <summary>The weight values a block of eq. 6 / eq. 5 rows holds at most (256 KB: it stays in a core's cache
    /// between its product and its pass).</summary>
    const int BlockValues = 1 << 16;

    /// <summary>Map h's step for its <paramref name="active"/> BMUs (in _slot / _winners): the patches (A) and squared
    /// patches (B) summed by BMU, H_a, and eq. 14 / 15 on the masks (eq. 6 and eq. 5 follow in <see cref="Step"/>).</summary>
    void Learn(int h, int rows, int active, CsnnStep values)
    {
        int n = Options.PatchSize, k = Options.Neurons, maps = Options.Maps, ms = Options.MaskSize, inputs = n / ms;
        var p = _p;
        var r = _r;
        var bmus = _bmus;
        var slot = _slot;
        // The patches (A) and their R rows (B) summed by the BMU they have in this map: eq. 6's sum over patches of
        // h(c_q, i) p_q is then sum_c h(c, i) A_c over the active c, H_a^T A, and eq. 14 / 15's sum of the BMU
        // indicator (or h) times p_q^2 is B (or H_a^T B): the same sums, added in another order. In parallel over
        // slices of the elements, each slice's patches added in their order (the same floats as one thread).
        var sums = _a;
        var squares = _b;
        Jobs(Slices(n).Select(x => (x, true)).Concat(Slices(ms).Select(x => (x, false))), (long)rows * (n + ms), job =>
        {
            var ((from, to), patches) = job;
            int len = to - from, width = patches ? n : ms;
            var src = patches ? p : r;
            var dst = patches ? sums : squares;
            for (int c = 0; c < active; c++) dst.AsSpan(c * width + from, len).Clear();
            for (int q = 0; q < rows; q++)
            {
                int c = bmus[q * maps + h];
                if (c < 0) continue;
                var d = dst.AsSpan(slot[c] * width + from, len);
                TensorPrimitives.Add(d, src.AsSpan(q * width + from, len), d);
            }
        });
        // H_a: the active BMUs' rows of H (H is symmetric: row c is h(c, i) over the neurons i).
        for (int a = 0; a < active; a++) _h.AsSpan(_winners[a] * k, k).CopyTo(_ha.AsSpan(a * k, k));
        // Eq. 14 / 15 from the masks before the step, by the closed forms of eq. 12 / 13: Q = H_a^T B with NH,
        // else B's rows at their neurons (zero elsewhere).
        if (Options.MaskNeighbourhood) _gemm.Sgemm(true, false, k, ms, active, 1f, _ha, k, _b, ms, 0f, _q2, ms);
        UpdateMasks(h, values.MaskRate / ((double)rows * inputs));
    }

    /// <summary>Runs <paramref name="body"/> for rows 0..rows-1 of <paramref name="cols"/> values each: in parallel where
    /// there are enough values to be worth it (not D-CSNN's first layer, whose 27-long rows a thread does at once).</summary>
    static void Rows(int rows, int cols, Action<int> body)
    {
        if ((long)rows * cols < ParallelFrom) { for (int i = 0; i < rows; i++) body(i); }
        else Parallel.For(0, rows, body);
    }

    /// <summary>Runs <paramref name="body"/> for each job, the jobs together touching <paramref name="values"/> values:
    /// in parallel where that is enough to be worth waking the other threads, else one after the other on this one.</summary>
    static void Jobs<T>(IEnumerable<T> jobs, long values, Action<T> body)
    {
        if (values < ParallelFrom) { foreach (var job in jobs) body(job); }
        else Parallel.ForEach(jobs, body);
    }

    /// <summary>The fewest values a pass must touch to run in parallel: below it (D-CSNN's first layer, 27-long rows
    /// and 144 neurons a map), waking the threads costs more than the pass.</summary>
    const long ParallelFrom = 1 << 16;

    /// <summary>[from, to) slices of 0..length for the threads, each at least <paramref name="least"/> long.</summary>
    static IEnumerable<(int, int)> Slices(int length, int least = 64)
    {
        int count = Math.Clamp(length / least, 1, Environment.ProcessorCount);
        for (int t = 0; t < count; t++) yield return ((int)((long)length * t / count), (int)((long)length * (t + 1) / count));
    }

    /// <summary>Eq. 3: exp(-d^2 / (2 sigma^2)) over the Euclidean grid distance of neurons c and i.</summary>
    double Neighbourhood(int c, int i)
    {
        int cols = Options.GridCols;
        double dr = c / cols - i / cols, dc = c % cols - i % cols;
        return Math.Exp(-(dr * dr + dc * dc) / (2 * Options.Sigma * Options.Sigma));
    }

    /// <summary>Eq. 14 / 15 with eq. 12 or 13 in closed form: dm_ij = rate m_ij Q_ij f_ij, Q (Neurons x MaskSize) the
    /// squared patch elements of each mask element summed over the patches that move neuron i (with NH, H_a^T B in
    /// _q2; else B's row of neuron i's slot, zero for a neuron no patch chose); f = 1 - gamma S_j (eq. 12) or 1 - gamma
    /// T_ij - m_ij^2 (eq. 13), S and T from the masks before the step. In place: T_ij is summed from each m_ij as it is
    /// read, before it is written.</summary>
    void UpdateMasks(int h, double rate)
    {
        int k = Options.Neurons, ms = Options.MaskSize;
        var m = _m[h];
        var before = _before;   // sum over k < i of m_kj^2 (eq. 13)
        var all = _all;         // and over all k (eq. 12)
        double gamma = Options.Gamma;
        bool allMasks = Options.MaskRule == CsnnMaskRule.AllMasks, nh = Options.MaskNeighbourhood;
        var slot = _slot;
        var q = nh ? _q2 : _b;
        // In parallel over slices of the mask's elements j: each j's sums over the neurons in their order.
        Jobs(Slices(ms), (long)k * ms, range =>
        {
            var (from, to) = range;
            Array.Clear(before, from, to - from);
            Array.Clear(all, from, to - from);
            if (allMasks)
                for (int i = 0; i < k; i++)
                    for (int j = from; j < to; j++) all[j] += (double)m[i * ms + j] * m[i * ms + j];
            for (int i = 0; i < k; i++)
            {
                int row = nh ? i : slot[i];
                if (row < 0)
                {
                    if (!allMasks) for (int j = from; j < to; j++) before[j] += (double)m[i * ms + j] * m[i * ms + j];
                    continue;
                }
                for (int j = from; j < to; j++)
                {
                    double mij = m[i * ms + j];
                    double f = allMasks ? 1 - gamma * all[j] : 1 - gamma * before[j] - mij * mij;
                    m[i * ms + j] = (float)(mij + rate * mij * q[row * ms + j] * f);
                    before[j] += mij * mij;
                }
            }
        });
    }

    public Matrix ReadWeights(int map)
    {
        Options.CheckMap(map);
        return new Matrix(Options.Neurons, Options.PatchSize, Outside(_w[map], patchLong: true));
    }

    public Matrix ReadMasks(int map)
    {
        Options.CheckMap(map);
        return new Matrix(Options.Neurons, Options.MaskSize, Outside(_m[map], InputMasks));
    }

    public void WriteMasks(int map, Matrix masks)
    {
        Options.CheckMasks(map, masks);
        Inside(masks.Data, InputMasks).CopyTo(_m[map], 0);
        _eFresh[map] = false;
    }


    public void Dispose() { }
}

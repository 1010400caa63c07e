using System.Collections.Concurrent;
using System.Numerics.Tensors;
using Hebb.Accelerated.Backends.Cpu;
using Hebb.Accelerated.Rules.NnlConv;
using Hebb.Contracts;

namespace Hebb.Accelerated.Rules.Csnn;

/// <summary>
/// CSNN's masked multi-head sconv layer (Stuhr &amp; Brauer, section III) in float32 on the CPU. Reference:
/// Hebb.Reference.Csnn. A neuron's masked score p . (m o w) (eq. 7-9) is a dot product with the Hadamard product of
/// its mask and weights, so each map's scores for all patches are one GEMM against those products. eq. 3's h depends
/// only on the BMU and the neuron, so the SOM update (eq. 6) is H_a^T A, with A the patches summed by their BMU and H_a
/// the rows of H of the step's active BMUs (few: a product of Neurons x Active x PatchSize), then eq. 5 normalizes
/// every weight vector. The masks' rules reduce, element by element, to closed forms: with
/// S_j = sum_k m_kj^2 and T_ij = the same over k &lt; i, eq. 12 through Hebb is p_j^2 m_ij (1 - gamma S_j) and eq. 13
/// through Oja is p_j^2 m_ij (1 - gamma T_ij - m_ij^2); so eq. 14 / 15 need only B, the squared patches summed by their
/// BMU (H_a^T B with the NH option) (docs/EQUATIONS.md).
/// </summary>
public sealed class CpuCsnnLayer : ICsnnLayer
{
    readonly IGemm _gemm;
    readonly NnlConvOptions _geometry;
    readonly float[][] _w, _m;
    readonly int _k2;
    /// <summary>Eq. 3's h for every (BMU, neuron) pair of the grid, Neurons x Neurons: it depends on nothing else.</summary>
    readonly float[] _h;
    /// <summary>Each map's m o w (eq. 7-9), Neurons x PatchSize, and whether it is that of the present weights and
    /// masks: a layer that no longer learns (the blocks before the one in training) makes it once.</summary>
    readonly float[][] _e;
    readonly bool[] _eFresh;
    // Buffers of the batch, grown for the largest one so far: no allocation inside a step of the same size.
    float[] _p = [], _r = [], _q2 = [], _a = [], _b = [];
    float[][] _s = [];
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
        _geometry = new NnlConvOptions
        {
            Height = options.Height, Width = options.Width, Channels = options.Channels, Window = options.Kernel, Stride = options.Stride,
            Padding = options.Padding, PaddingAfter = options.PaddingAfter, Filters = 1, Power = 1, PoolWindow = 1, PoolStride = 1,
        };
        _k2 = options.Kernel * options.Kernel;
        _w = [.. weights.Select(w => (float[])w.Data.Clone())];
        _m = [.. masks.Select(m => (float[])m.Data.Clone())];
        int k = options.Neurons;
        _h = new float[k * k];
        for (int c = 0; c < k; c++)
            for (int i = 0; i < k; i++) _h[c * k + i] = (float)Neighbourhood(c, i);
        _e = [.. Enumerable.Range(0, options.Maps).Select(_ => new float[k * options.PatchSize])];
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
        _p = new float[rows * n];
        _r = new float[rows * Options.MaskSize];
        _s = [.. Enumerable.Range(0, Options.Maps).Select(_ => new float[rows * k])];
        _bmus = new int[rows * Options.Maps];
    }

    int ImageSize => Options.Height * Options.Width * Options.Channels;

    /// <summary>Every patch of every image into the batch's buffer, (B * Positions) x PatchSize, channel-major patches
    /// (PatchMath.Copy), in parallel over patches (a batch of one image has many); returns the rows.</summary>
    int Patches(Matrix images)
    {
        int n = Options.PatchSize, positions = Options.Positions, rows = images.Rows * positions;
        Ensure(rows);
        var p = _p;
        Parallel.ForEach(Partitioner.Create(0, rows, Math.Max(16, rows / (4 * Environment.ProcessorCount))), range =>
        {
            for (int r = range.Item1; r < range.Item2; r++)
                PatchMath.Copy(_geometry, images.Row(r / positions), r % positions, p.AsSpan(r * n, n));
        });
        return rows;
    }

    /// <summary>Eq. 7-9: map h's m o w for each neuron (a mask between layers repeated over the kernel's positions),
    /// made where the weights or masks changed since.</summary>
    float[] Effective(int h)
    {
        var e = _e[h];
        if (_eFresh[h]) return e;
        Rows(Options.Neurons, Options.PatchSize, i => EffectiveRow(h, i));
        _eFresh[h] = true;
        return e;
    }

    /// <summary>Eq. 7-9 for neuron i of map h: its row of m o w.</summary>
    void EffectiveRow(int h, int i)
    {
        int n = Options.PatchSize, ms = Options.MaskSize;
        var w = _w[h]; var m = _m[h]; var e = _e[h];
        if (Options.MaskKind == CsnnMaskKind.Input) TensorPrimitives.Multiply(w.AsSpan(i * n, n), m.AsSpan(i * ms, n), e.AsSpan(i * n, n));
        else if (!Options.CodePairing)   // channel-major patches: element c * K*K + position is channel c's
            for (int c = 0; c < ms; c++)
                TensorPrimitives.Multiply(w.AsSpan(i * n + c * _k2, _k2), m[i * ms + c], e.AsSpan(i * n + c * _k2, _k2));
        else   // the authors' code: element j meets the weight of position j / C, channel j % C
            for (int j = 0; j < n; j++) e[i * n + j] = w[i * n + (j % ms) * _k2 + j / ms] * m[i * ms + j / _k2];
    }

    /// <summary>Eq. 8: every patch's masked score for every neuron of map h (P (m o w)^T), into the batch's scores of
    /// map h, rows x Neurons.</summary>
    void Score(int h, int rows)
    {
        int n = Options.PatchSize, k = Options.Neurons;
        _gemm.Sgemm(false, true, rows, k, n, 1f, _p, n, Effective(h), n, 0f, _s[h], k);
    }

    /// <summary>Eq. 8 in the output's channel-major layout. One image (a training step carrying its image through the
    /// blocks before): (m o w) P^T per map, Neurons x Positions, written in place. More: one GEMM per map for the whole
    /// batch (rows x Neurons), then each image's block transposed into place, images in parallel (one GEMM an image
    /// is slower there).</summary>
    public Matrix Forward(Matrix images)
    {
        Check.Batch(images, ImageSize, nameof(images));
        int positions = Options.Positions, k = Options.Neurons, n = Options.PatchSize;
        int rows = Patches(images);
        var y = new Matrix(images.Rows, Options.Features);
        for (int h = 0; h < Options.Maps; h++)
        {
            if (images.Rows == 1)
            {
                _gemm.Sgemm(false, true, k, positions, n, 1f, Effective(h), n, _p.AsSpan(0, positions * n), n, 0f, y.Row(0).Slice(h * k * positions, k * positions), positions);
                continue;
            }
            Score(h, rows);
            var s = _s[h];
            int map = h;
            Parallel.For(0, images.Rows, b =>
            {
                var dst = y.Row(b).Slice(map * k * positions, k * positions);
                var src = s.AsSpan(b * positions * k, positions * k);
                for (int i = 0; i < k; i++)
                {
                    var line = dst.Slice(i * positions, positions);
                    for (int pos = 0; pos < positions; pos++) line[pos] = src[pos * k + i];
                }
            });
        }
        return y;
    }

    public Matrix Encode(Matrix images, CsnnNormalization normalization)
    {
        normalization.CheckFor(Options, nameof(normalization));
        return CsnnBlock.NormPool(Forward(images), Options, normalization);
    }

    public void Step(Matrix images, CsnnStep values)
    {
        Check.Batch(images, ImageSize, nameof(images));
        values.Validate();
        int n = Options.PatchSize, k = Options.Neurons, maps = Options.Maps;
        int rows = Patches(images);
        // Eq. 2 and section III-E: each map's BMU for each patch (ties: the lowest neuron), and the maps it updates.
        for (int h = 0; h < maps; h++) Score(h, rows);
        var scores = _s;
        var bmus = _bmus;
        for (int q = 0; q < rows; q++)
        {
            int topMap = 0;
            float top = float.NegativeInfinity;
            for (int h = 0; h < maps; h++)
            {
                var s = scores[h].AsSpan(q * k, k);
                int c = 0;
                for (int i = 1; i < k; i++) if (s[i] > s[c]) c = i;
                bmus[q * maps + h] = c;
                if (s[c] > top) { top = s[c]; topMap = h; }
            }
            if (!Options.AllBmus)
                for (int h = 0; h < maps; h++) if (h != topMap) bmus[q * maps + h] = -1;
        }
        // Each patch's squares summed over the patch elements of each mask element (one for an input mask, the kernel's
        // K*K positions of a channel for a mask between layers): R, rows x MaskSize, what eq. 14 / 15 need of a patch.
        int ms = Options.MaskSize, inputs = n / ms;
        var p = _p;
        var r = _r;
        Rows(rows, n, q =>
        {
            var pq = p.AsSpan(q * n, n);
            var rq = r.AsSpan(q * ms, ms);
            if (inputs == 1) TensorPrimitives.Multiply(pq, pq, rq);
            else for (int c = 0; c < ms; c++) rq[c] = TensorPrimitives.SumOfSquares(pq.Slice(c * inputs, inputs));
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
            // Eq. 5 and eq. 7-9 row by row in one pass over the weights: each to unit length (a map no patch chose
            // too, as the reference does), then its m o w from the masks just updated.
            var w = _w[h];
            Rows(k, n, i =>
            {
                var row = w.AsSpan(i * n, n);
                float norm = TensorPrimitives.Norm(row);
                if (norm > 0f) TensorPrimitives.Multiply(row, 1f / norm, row);
                EffectiveRow(map, i);
            });
            _eFresh[h] = true;
        }
    }

    /// <summary>Map h's step for its <paramref name="active"/> BMUs (in _slot / _winners): eq. 14 / 15 on the masks,
    /// then eq. 6 on the weights (eq. 5 follows in <see cref="Step"/>).</summary>
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
        Parallel.ForEach(Slices(n).Select(x => (x, true)).Concat(Slices(ms).Select(x => (x, false))), job =>
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
        // Eq. 6: W += a/N H_a^T A.
        _gemm.Sgemm(true, false, k, n, active, (float)(values.SomRate / rows), _ha, k, _a, n, 1f, _w[h], n);
    }

    /// <summary>Runs <paramref name="body"/> for rows 0..rows-1 of <paramref name="cols"/> values each: in parallel where
    /// there are enough values to be worth it (not D-CSNN's first layer, whose 27-long rows a thread does at once).</summary>
    static void Rows(int rows, int cols, Action<int> body)
    {
        if ((long)rows * cols < 1 << 15) { for (int i = 0; i < rows; i++) body(i); }
        else Parallel.For(0, rows, body);
    }

    /// <summary>[from, to) slices of 0..length for the threads, each at least 64 long.</summary>
    static IEnumerable<(int, int)> Slices(int length)
    {
        int count = Math.Clamp(length / 64, 1, Environment.ProcessorCount);
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
        Parallel.ForEach(Slices(ms), range =>
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
        return new Matrix(Options.Neurons, Options.PatchSize, (float[])_w[map].Clone());
    }

    public Matrix ReadMasks(int map)
    {
        Options.CheckMap(map);
        return new Matrix(Options.Neurons, Options.MaskSize, (float[])_m[map].Clone());
    }

    public void WriteMasks(int map, Matrix masks)
    {
        Options.CheckMasks(map, masks);
        masks.Data.CopyTo(_m[map], 0);
        _eFresh[map] = false;
    }


    public void Dispose() { }
}

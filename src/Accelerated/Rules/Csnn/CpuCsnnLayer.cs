using System.Numerics.Tensors;
using Hebb.Accelerated.Backends.Cpu;
using Hebb.Accelerated.Rules.NnlConv;
using Hebb.Contracts;

namespace Hebb.Accelerated.Rules.Csnn;

/// <summary>
/// CSNN's masked multi-head sconv layer (Stuhr &amp; Brauer, section III) in float32 on the CPU. Reference:
/// Hebb.Reference.Csnn. A neuron's masked score p . (m o w) (eq. 7-9) is a dot product with the Hadamard product of
/// its mask and weights, so each map's scores for all patches are one GEMM against those products. eq. 3's h depends
/// only on the BMU and the neuron, so the SOM update (eq. 6) is H^T A, with A the patches summed by their BMU, then
/// eq. 5 normalizes every weight vector. The masks' rules reduce, element by element, to closed forms: with
/// S_j = sum_k m_kj^2 and T_ij = the same over k &lt; i, eq. 12 through Hebb is p_j^2 m_ij (1 - gamma S_j) and eq. 13
/// through Oja is p_j^2 m_ij (1 - gamma T_ij - m_ij^2); so eq. 14 / 15 need only B, the squared patches summed by their
/// BMU (H^T B with the NH option) (docs/EQUATIONS.md).
/// </summary>
public sealed class CpuCsnnLayer : ICsnnLayer
{
    readonly IGemm _gemm;
    readonly NnlConvOptions _geometry;
    readonly float[][] _w, _m;
    readonly int _k2;
    /// <summary>Eq. 3's h for every (BMU, neuron) pair of the grid, Neurons x Neurons: it depends on nothing else.</summary>
    readonly float[] _h;
    // Buffers of the batch, grown for the largest one so far: no allocation inside a step of the same size.
    float[] _p = [], _e = [], _q2 = [], _a = [], _b = [];
    float[][] _s = [];
    int[] _bmus = [];
    readonly float[] _old;
    readonly double[] _q, _before, _all;

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
        _e = new float[k * options.PatchSize];
        _q2 = new float[k * options.PatchSize];
        _a = new float[k * options.PatchSize];
        _b = new float[k * options.PatchSize];
        _old = new float[k * options.MaskSize];
        _q = new double[k * options.MaskSize];
        _before = new double[options.MaskSize];
        _all = new double[options.MaskSize];
    }

    /// <summary>Makes the batch's buffers for <paramref name="rows"/> patch rows, where they are smaller.</summary>
    void Ensure(int rows)
    {
        int n = Options.PatchSize, k = Options.Neurons;
        if (_p.Length >= rows * n) return;
        _p = new float[rows * n];
        _s = [.. Enumerable.Range(0, Options.Maps).Select(_ => new float[rows * k])];
        _bmus = new int[rows * Options.Maps];
    }

    int ImageSize => Options.Height * Options.Width * Options.Channels;

    /// <summary>Every patch of every image into the batch's buffer, (B * Positions) x PatchSize, channel-major patches
    /// (PatchMath.Copy); returns the rows.</summary>
    int Patches(Matrix images)
    {
        int n = Options.PatchSize, positions = Options.Positions, rows = images.Rows * positions;
        Ensure(rows);
        var p = _p;
        Parallel.For(0, images.Rows, b =>
        {
            var img = images.Row(b);
            for (int pos = 0; pos < positions; pos++) PatchMath.Copy(_geometry, img, pos, p.AsSpan((b * positions + pos) * n, n));
        });
        return rows;
    }

    /// <summary>Eq. 7-9: map h's m o w for each neuron (a mask between layers repeated over the kernel's positions),
    /// into the buffer E.</summary>
    void Effective(int h)
    {
        int n = Options.PatchSize, k = Options.Neurons, ms = Options.MaskSize;
        var w = _w[h]; var m = _m[h];
        for (int i = 0; i < k; i++)
        {
            if (Options.MaskKind == CsnnMaskKind.Input) TensorPrimitives.Multiply(w.AsSpan(i * n, n), m.AsSpan(i * ms, n), _e.AsSpan(i * n, n));
            else if (!Options.CodePairing)   // channel-major patches: element c * K*K + position is channel c's
                for (int c = 0; c < ms; c++)
                {
                    float mc = m[i * ms + c];
                    int at = i * n + c * _k2;
                    for (int j = at; j < at + _k2; j++) _e[j] = w[j] * mc;
                }
            else   // the authors' code: element j meets the weight of position j / C, channel j % C
                for (int j = 0; j < n; j++) _e[i * n + j] = w[i * n + (j % ms) * _k2 + j / ms] * m[i * ms + j / _k2];
        }
    }

    /// <summary>Eq. 8: every patch's masked score for every neuron of map h (P (m o w)^T), into the batch's scores of
    /// map h, rows x Neurons.</summary>
    void Score(int h, int rows)
    {
        int n = Options.PatchSize, k = Options.Neurons;
        Effective(h);
        _gemm.Sgemm(false, true, rows, k, n, 1f, _p, n, _e, n, 0f, _s[h], k);
    }

    /// <summary>Eq. 8 for the whole batch in one GEMM per map (rows x Neurons, as a step scores), then each image's
    /// block transposed into the output's channel-major layout, images in parallel.</summary>
    public Matrix Forward(Matrix images)
    {
        Check.Batch(images, ImageSize, nameof(images));
        int positions = Options.Positions, k = Options.Neurons;
        int rows = Patches(images);
        var y = new Matrix(images.Rows, Options.Features);
        for (int h = 0; h < Options.Maps; h++)
        {
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
        var p = _p;
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
        int inputs = Options.MaskKind == CsnnMaskKind.Input ? 1 : _k2;
        for (int h = 0; h < maps; h++)
        {
            // The patches (A) and their squares (B) summed by the BMU they have in this map (patches the map lost left
            // out): eq. 6's sum over patches of h(c_q, i) p_q is then sum_c h(c, i) A_c, H^T A, and eq. 14's sum of the
            // BMU indicator (or h) times p_q^2 is B (or H^T B): products of Neurons x Neurons x PatchSize, not of every
            // patch (the same sums, added in another order).
            var sums = _a.AsSpan(0, k * n);
            var squares = _b.AsSpan(0, k * n);
            sums.Clear();
            squares.Clear();
            for (int q = 0; q < rows; q++)
            {
                int c = bmus[q * maps + h];
                if (c < 0) continue;
                var pq = p.AsSpan(q * n, n);
                TensorPrimitives.Add(sums.Slice(c * n, n), pq, sums.Slice(c * n, n));
                TensorPrimitives.MultiplyAdd(pq, pq, squares.Slice(c * n, n), squares.Slice(c * n, n));
            }
            // Eq. 14 / 15 from the masks before the step, by the closed forms of eq. 12 / 13.
            if (Options.MaskNeighbourhood) _gemm.Sgemm(true, false, k, n, k, 1f, _h, k, _b, n, 0f, _q2, n);
            else _b.AsSpan(0, k * n).CopyTo(_q2);
            UpdateMasks(h, _q2, values.MaskRate / ((double)rows * inputs));
            // Eq. 6 then eq. 5: W += a/N H^T A, every row to unit length.
            _gemm.Sgemm(true, false, k, n, k, (float)(values.SomRate / rows), _h, k, _a, n, 1f, _w[h], n);
            for (int i = 0; i < k; i++)
            {
                var row = _w[h].AsSpan(i * n, n);
                float norm = TensorPrimitives.Norm(row);
                if (norm > 0f) TensorPrimitives.Multiply(row, 1f / norm, row);
            }
        }
    }

    /// <summary>Eq. 3: exp(-d^2 / (2 sigma^2)) over the Euclidean grid distance of neurons c and i.</summary>
    double Neighbourhood(int c, int i)
    {
        int cols = Options.GridCols;
        double dr = c / cols - i / cols, dc = c % cols - i % cols;
        return Math.Exp(-(dr * dr + dc * dc) / (2 * Options.Sigma * Options.Sigma));
    }

    /// <summary>Eq. 14 / 15 with eq. 12 or 13 in closed form: dm_ij = rate m_ij Q_ij f_ij, Q summed over the kernel's
    /// positions for masks between layers; f = 1 - gamma S_j (eq. 12) or 1 - gamma T_ij - m_ij^2 (eq. 13), S and T
    /// from the masks before the step.</summary>
    void UpdateMasks(int h, float[] q2, double rate)
    {
        int k = Options.Neurons, n = Options.PatchSize, ms = Options.MaskSize;
        var m = _m[h];
        var old = _old;
        m.CopyTo(old, 0);
        var q = _q;
        int inputs = Options.MaskKind == CsnnMaskKind.Input ? 1 : _k2;   // the patch elements of one mask element
        for (int i = 0; i < k; i++)
            for (int c = 0; c < ms; c++)
            {
                double sum = 0;
                for (int j = (i * ms + c) * inputs, end = j + inputs; j < end; j++) sum += q2[j];
                q[i * ms + c] = sum;
            }
        var before = _before;   // sum over k < i of m_kj^2 (eq. 13)
        var all = _all;         // and over all k (eq. 12)
        Array.Clear(before);
        Array.Clear(all);
        for (int i = 0; i < k; i++)
            for (int j = 0; j < ms; j++) all[j] += (double)old[i * ms + j] * old[i * ms + j];
        double gamma = Options.Gamma;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < ms; j++)
            {
                double mij = old[i * ms + j];
                double f = Options.MaskRule == CsnnMaskRule.AllMasks ? 1 - gamma * all[j] : 1 - gamma * before[j] - mij * mij;
                m[i * ms + j] = (float)(mij + rate * mij * q[i * ms + j] * f);
                before[j] += mij * mij;
            }
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
    }


    public void Dispose() { }
}

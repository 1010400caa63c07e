using Hebb.Contracts;

namespace Hebb.Evaluation;

/// <summary>Turns images (rows of pixel / 255) into the representation a probe is trained on.</summary>
public interface IEncoder
{
    string Name { get; }
    int Features { get; }
    Matrix Encode(Matrix images);
}

/// <summary>The raw-pixel baseline: the images themselves.</summary>
public sealed class RawPixels(int features) : IEncoder
{
    public string Name => "raw pixels";
    public int Features => features;
    public Matrix Encode(Matrix images) => images.Clone();
}

/// <summary>
/// A Krotov–Hopfield layer's encoder, eq. 1: h = ReLU(W v)^n, each image optionally scaled to a unit vector
/// first (the authors' remark for the top layer). Encodes in chunks so memory stays bounded by the output.
/// </summary>
public sealed class KrotovEncoder(IKrotovLayer layer, double n, bool normalize, string name = "Krotov–Hopfield") : IEncoder
{
    public string Name => $"{name} (h = ReLU(W v)^{n}{(normalize ? ", unit-norm images" : "")})";
    public int Features => layer.Options.Units;
    public IKrotovLayer Layer => layer;

    public Matrix Encode(Matrix images)
    {
        var h = new Matrix(images.Rows, Features);
        const int chunk = 1000;
        for (int start = 0; start < images.Rows; start += chunk)
        {
            int c = Math.Min(chunk, images.Rows - start);
            var v = images.SliceRows(start, c);
            if (normalize) UnitRows(v);
            layer.Encode(v, n).Data.CopyTo(h.Data, (long)start * Features);
        }
        return h;
    }

    /// <summary>Scales each row to unit Euclidean length (zero rows stay zero).</summary>
    public static void UnitRows(Matrix v)
    {
        for (int r = 0; r < v.Rows; r++) UnitLength(v.Row(r));
    }

    /// <summary>Scales a vector to unit Euclidean length, its squared length summed in double (a zero vector stays zero).</summary>
    public static void UnitLength(Span<float> v)
    {
        double s = 0;
        foreach (var x in v) s += (double)x * x;
        if (s > 0) System.Numerics.Tensors.TensorPrimitives.Multiply(v, (float)(1 / Math.Sqrt(s)), v);
    }
}

/// <summary>
/// Per-feature standardization fitted on a training set: x' = (x - mean) / (std + 1e-12 * max std). An affine
/// reparametrization of a linear classifier (the same family of models) that lets Adam train on features of
/// wildly different scales, such as ReLU(cos)^40.
/// </summary>
public sealed class Standardizer
{
    readonly float[] _mean, _scale;

    Standardizer(float[] mean, float[] scale) { _mean = mean; _scale = scale; }

    /// <summary>One scale for every feature: x' = x / rms, the root mean square of all training features (zero
    /// stays zero, relative sizes stay). For sparse, heavy-tailed features such as pooled ReLU(cos)^40, where
    /// per-feature standardization blows rarely active features up to the size of common ones.</summary>
    public static Standardizer Global(Matrix train)
    {
        double sq = 0;
        foreach (var x in train.Data) sq += (double)x * x;
        double rms = Math.Sqrt(sq / Math.Max(train.Data.Length, 1));
        float inv = rms > 0 && double.IsFinite(rms) ? (float)(1 / rms) : 1f;
        return new Standardizer(new float[train.Cols], Enumerable.Repeat(inv, train.Cols).ToArray());
    }

    public Standardizer(Matrix train)
    {
        int n = train.Cols;
        var sum = new double[n];
        var sq = new double[n];
        for (int r = 0; r < train.Rows; r++)
        {
            var row = train.Row(r);
            for (int j = 0; j < n; j++) { sum[j] += row[j]; sq[j] += (double)row[j] * row[j]; }
        }
        var std = new double[n];
        _mean = new float[n];
        for (int j = 0; j < n; j++)
        {
            double m = sum[j] / train.Rows;
            _mean[j] = (float)m;
            std[j] = Math.Sqrt(Math.Max(0, sq[j] / train.Rows - m * m));
        }
        double floor = 1e-12 * Math.Max(std.DefaultIfEmpty(0).Max(), 1e-300);
        _scale = [.. std.Select(s => (float)(1 / Math.Max(s, floor)))];
    }

    public void Apply(Matrix x)
    {
        for (int r = 0; r < x.Rows; r++)
        {
            var row = x.Row(r);
            System.Numerics.Tensors.TensorPrimitives.Subtract(row, _mean, row);
            System.Numerics.Tensors.TensorPrimitives.Multiply(row, _scale, row);
        }
    }
}

/// <summary>Rows of features with their labels.</summary>
public sealed record LabeledSet(Matrix X, int[] Y)
{
    public int Count => Y.Length;
    public LabeledSet Subset(int[] indices) => new(X.Gather(indices), [.. indices.Select(i => Y[i])]);
}

/// <summary>Train / validation / test sets and a sentence saying how they were made.</summary>
public sealed record Split(string Description, LabeledSet Train, LabeledSet? Validation, LabeledSet Test);

/// <summary>Seeded splits.</summary>
public static class Splits
{
    /// <summary>CSNN's protocol: the test set split at random (seeded) into equal validation and test halves
    /// (CIFAR-10: 5,000 + 5,000); the training set is used whole.</summary>
    public static Split TestHalves(LabeledSet train, LabeledSet test, int seed)
    {
        var order = Permutation(test.Count, seed);
        int half = test.Count / 2;
        return new($"training set {train.Count:N0}; test set split at random (seed {seed}) into {half:N0} validation + {test.Count - half:N0} test",
            train, test.Subset(order[..half]), test.Subset(order[half..]));
    }

    /// <summary>As <see cref="TestHalves(LabeledSet, LabeledSet, int)"/>, but the test half taken from
    /// <paramref name="alteredTest"/> (the same images, altered, e.g. shadowed), so that the pocket rule chooses on
    /// unaltered images and the reported accuracy is on altered ones.</summary>
    public static Split TestHalves(LabeledSet train, LabeledSet test, LabeledSet alteredTest, string alteration, int seed)
    {
        var order = Permutation(test.Count, seed);
        int half = test.Count / 2;
        return new($"training set {train.Count:N0}; test set split at random (seed {seed}) into {half:N0} validation + {test.Count - half:N0} test, the test half {alteration}",
            train, test.Subset(order[..half]), alteredTest.Subset(order[half..]));
    }

    /// <summary>No validation: the full test set, and the probe's last step is reported (no pocket).</summary>
    public static Split NoValidation(LabeledSet train, LabeledSet test) =>
        new($"training set {train.Count:N0}; full test set {test.Count:N0}; no validation (last step reported)", train, null, test);

    /// <summary>k-fold cross-validation: the training set permuted (seeded) and cut into k folds; fold i validates
    /// (the pocket rule picks the step), the other k - 1 train; the full test set tests every fold.</summary>
    public static IEnumerable<Split> KFold(LabeledSet train, LabeledSet test, int k, int seed)
    {
        if (k < 2 || k > train.Count) throw new ArgumentOutOfRangeException(nameof(k), k, $"folds must be in 2..{train.Count}");
        var order = Permutation(train.Count, seed);
        for (int f = 0; f < k; f++)
        {
            int lo = (int)((long)train.Count * f / k), hi = (int)((long)train.Count * (f + 1) / k);
            var val = order[lo..hi];
            var rest = order[..lo].Concat(order[hi..]).ToArray();
            yield return new($"fold {f + 1}/{k} of the training set (seed {seed}): {rest.Length:N0} train + {val.Length:N0} validation; full test set {test.Count:N0}",
                train.Subset(rest), train.Subset(val), test);
        }
    }

    public static int[] Permutation(int n, int seed)
    {
        var p = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(p);
        return p;
    }
}

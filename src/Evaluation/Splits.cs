namespace Hebb.Evaluation;

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

    /// <summary>k-fold cross-validation: the training images permuted (seeded) and cut into k folds; fold i validates
    /// (the pocket rule picks the step), the other k - 1 train; the full test set tests every fold. Where the training
    /// set holds augmented copies (<paramref name="images"/> images, row r showing image r mod images), a fold's images
    /// validate as they are and every copy of the other images trains: no copy of a validation image trains.</summary>
    public static IEnumerable<Split> KFold(LabeledSet train, LabeledSet test, int k, int seed, int images = 0)
    {
        images = images == 0 ? train.Count : images;
        if (images < 1 || train.Count % images != 0)
            throw new ArgumentOutOfRangeException(nameof(images), images, $"the training set's {train.Count} rows must be whole copies of the images");
        if (k < 2 || k > images) throw new ArgumentOutOfRangeException(nameof(k), k, $"folds must be in 2..{images}");
        int copies = train.Count / images;
        var order = Permutation(images, seed);
        for (int f = 0; f < k; f++)
        {
            int lo = (int)((long)images * f / k), hi = (int)((long)images * (f + 1) / k);
            var val = order[lo..hi];
            var others = order[..lo].Concat(order[hi..]).ToArray();
            var rest = Enumerable.Range(0, copies).SelectMany(c => others.Select(i => i + c * images)).ToArray();
            string augmented = copies > 1 ? $" (each with its {copies - 1} augmented copies; no copy of a validation image)" : "";
            yield return new($"fold {f + 1}/{k} of the training set (seed {seed}): {rest.Length:N0} train{augmented} + {val.Length:N0} validation; full test set {test.Count:N0}",
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

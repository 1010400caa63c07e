using Hebb.Contracts;

namespace Hebb.Evaluation;

/// <summary>Rows of features with their labels.</summary>
public sealed record LabeledSet(FeatureRows X, int[] Y)
{
    public LabeledSet(Matrix x, int[] y) : this(FeatureRows.Of(x), y) { }

    public int Count => Y.Length;
    public LabeledSet Subset(int[] indices) => new(X.Subset(indices), [.. indices.Select(i => Y[i])]);
}

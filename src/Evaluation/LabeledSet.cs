using Hebb.Contracts;

namespace Hebb.Evaluation;

/// <summary>Rows of features with their labels.</summary>
public sealed record LabeledSet(Matrix X, int[] Y)
{
    public int Count => Y.Length;
    public LabeledSet Subset(int[] indices) => new(X.Gather(indices), [.. indices.Select(i => Y[i])]);
}

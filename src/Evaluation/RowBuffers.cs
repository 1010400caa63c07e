using Hebb.Contracts;

namespace Hebb.Evaluation;

/// <summary>Matrices of features, one per number of rows, reused from step to step: a minibatch of 512 rows of 16,400
/// features is 34 MB, and a new one each step (and each evaluation chunk) left the collector gigabytes of garbage
/// during a multi-block eval. A classifier does not keep its input after a call, so one buffer per size is
/// enough.</summary>
sealed class RowBuffers(int cols)
{
    readonly Dictionary<int, Matrix> _byRows = new();

    /// <summary>The rows <paramref name="indices"/> of <paramref name="source"/>, in that order, in this size's buffer.</summary>
    public Matrix Gather(FeatureRows source, ReadOnlySpan<int> indices)
    {
        var m = Buffer(source, indices.Length);
        source.GatherInto(indices, m);
        return m;
    }

    /// <summary>Rows <paramref name="start"/> .. start + count - 1 of <paramref name="source"/>, in this size's buffer.</summary>
    public Matrix Rows(FeatureRows source, int start, int count)
    {
        var m = Buffer(source, count);
        source.CopyRowsInto(start, count, m);
        return m;
    }

    Matrix Buffer(FeatureRows source, int rows)
    {
        if (source.Cols != cols) throw new ArgumentException($"source has {source.Cols} columns, the buffers {cols}", nameof(source));
        if (!_byRows.TryGetValue(rows, out var m)) _byRows[rows] = m = new Matrix(rows, cols);
        return m;
    }
}

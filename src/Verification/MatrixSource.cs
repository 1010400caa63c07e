using Hebb.Contracts;

namespace Hebb.Verification;

/// <summary>The rows of a matrix as minibatches of <paramref name="batch"/> rows in order (the last may be smaller): the
/// simplest IMinibatchSource, for comparing a layer's own pass (IMinibatchLearner.Learn) with steps one by one.</summary>
public sealed class MatrixSource(Matrix data, int batch) : IMinibatchSource
{
    int _start, _rows;

    public int Columns => data.Cols;
    public int MaxRows => batch;

    public int Next()
    {
        _start += _rows;
        _rows = Math.Min(batch, data.Rows - _start);
        return _rows;
    }

    public void Fill(int from, int to, Span<float> rows)
    {
        if (from < 0 || to > _rows || from > to)
            throw new ArgumentOutOfRangeException(nameof(to), $"rows [{from}, {to}) are not within the current minibatch's {_rows}");
        data.Data.AsSpan((_start + from) * data.Cols, (to - from) * data.Cols).CopyTo(rows.Slice(from * data.Cols));
    }

    /// <summary>The minibatches as matrices, for stepping through them one by one.</summary>
    public static IEnumerable<Matrix> Batches(Matrix data, int batch)
    {
        for (int s = 0; s < data.Rows; s += batch) yield return data.SliceRows(s, Math.Min(batch, data.Rows - s));
    }
}

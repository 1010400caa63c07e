namespace Hebb.Contracts;

/// <summary>
/// A dense row-major float32 matrix in host memory: the one tensor type that crosses the contracts.
/// Batches are <c>samples x features</c>; weights are <c>units x inputs</c>.
/// Inputs are float32 on purpose: both engines then see bit-identical values (every float32 is a
/// float64), so any difference between them comes from their arithmetic, never from their inputs.
/// </summary>
public sealed class Matrix
{
    public int Rows { get; }
    public int Cols { get; }
    public float[] Data { get; }

    public Matrix(int rows, int cols)
        : this(rows, cols, new float[checked(Math.Max(rows, 0) * Math.Max(cols, 0))]) { }

    public Matrix(int rows, int cols, float[] data)
    {
        if (rows < 0) throw new ArgumentOutOfRangeException(nameof(rows), rows, "rows must be >= 0");
        if (cols < 0) throw new ArgumentOutOfRangeException(nameof(cols), cols, "cols must be >= 0");
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length != (long)rows * cols)
            throw new ArgumentException($"data has {data.Length} elements but a {rows}x{cols} matrix needs {(long)rows * cols}", nameof(data));
        Rows = rows; Cols = cols; Data = data;
    }

    public float this[int r, int c]
    {
        get => Data[r * Cols + c];
        set => Data[r * Cols + c] = value;
    }

    public Span<float> Row(int r) => Data.AsSpan(r * Cols, Cols);

    public Matrix Clone() => new(Rows, Cols, (float[])Data.Clone());

    /// <summary>Rows <paramref name="start"/> .. start+count-1 as a new matrix (copied).</summary>
    public Matrix SliceRows(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Rows)
            throw new ArgumentOutOfRangeException(nameof(start), $"rows {start}..{start + count - 1} are outside 0..{Rows - 1}");
        return new Matrix(count, Cols, Data.AsSpan(start * Cols, count * Cols).ToArray());
    }

    /// <summary>The rows named by <paramref name="indices"/>, in that order, as a new matrix.</summary>
    public Matrix Gather(ReadOnlySpan<int> indices)
    {
        var m = new Matrix(indices.Length, Cols);
        GatherInto(indices, m);
        return m;
    }

    /// <summary>As <see cref="Gather"/>, into <paramref name="dst"/> (indices.Length x Cols), so that a caller can
    /// reuse one buffer.</summary>
    public void GatherInto(ReadOnlySpan<int> indices, Matrix dst)
    {
        if (dst.Rows != indices.Length || dst.Cols != Cols)
            throw new ArgumentException($"dst is {dst.Rows}x{dst.Cols}; {indices.Length} rows of this matrix need {indices.Length}x{Cols}", nameof(dst));
        for (int i = 0; i < indices.Length; i++)
        {
            int r = indices[i];
            if ((uint)r >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(indices), r, $"row index must be in 0..{Rows - 1}");
            Data.AsSpan(r * Cols, Cols).CopyTo(dst.Data.AsSpan(i * Cols, Cols));
        }
    }

    public override string ToString() => $"Matrix {Rows}x{Cols}";
}

using System.Numerics.Tensors;
using Hebb.Contracts;

namespace Hebb.Evaluation;

/// <summary>
/// A set's feature rows, held in blocks of whole rows so that a set may hold more values than one .NET array
/// (<see cref="Array.MaxLength"/>: 174,762 rows of 12,288 features), each block in float32 or half precision
/// (<see cref="FeaturePrecision"/>). Rows are read as float32 (<see cref="GatherInto"/>, <see cref="CopyRowsInto"/>),
/// half-precision ones converted as they are read.
/// </summary>
public sealed class FeatureRows
{
    /// <summary>Rows <c>Rows</c> of <c>Cols</c> values, in one of the two arrays.</summary>
    sealed record Block(int Rows, float[]? Single, Half[]? Half);

    readonly Block[] _blocks;
    readonly int[] _starts;

    public int Rows { get; }
    public int Cols { get; }
    public FeaturePrecision Precision { get; }

    FeatureRows(int cols, FeaturePrecision precision, Block[] blocks)
    {
        Cols = cols;
        Precision = precision;
        _blocks = blocks;
        _starts = new int[blocks.Length + 1];
        for (int b = 0; b < blocks.Length; b++) _starts[b + 1] = checked(_starts[b] + blocks[b].Rows);
        Rows = _starts[^1];
    }

    /// <summary>A float32 matrix's rows, not copied.</summary>
    public static FeatureRows Of(Matrix m) => new(m.Cols, FeaturePrecision.Single, [new Block(m.Rows, m.Data, null)]);

    /// <summary>Half-precision rows, not copied (<paramref name="data"/>: rows × cols values, row-major).</summary>
    public static FeatureRows OfHalf(int rows, int cols, Half[] data)
    {
        if (rows < 0 || cols < 0 || data.LongLength != (long)rows * cols)
            throw new ArgumentException($"data has {data.LongLength} values; {rows} rows of {cols} need {(long)rows * cols}", nameof(data));
        return new(cols, FeaturePrecision.Half, [new Block(rows, null, data)]);
    }

    /// <summary>The rows of <paramref name="parts"/> one after another (their blocks shared, not copied); the parts have
    /// the same columns and precision.</summary>
    public static FeatureRows Concat(IReadOnlyList<FeatureRows> parts)
    {
        if (parts.Count == 0) throw new ArgumentException("at least one part is required", nameof(parts));
        foreach (var p in parts)
            if (p.Cols != parts[0].Cols || p.Precision != parts[0].Precision)
                throw new ArgumentException($"a part has {p.Cols} columns in {p.Precision}; the first {parts[0].Cols} in {parts[0].Precision}", nameof(parts));
        return new(parts[0].Cols, parts[0].Precision, [.. parts.SelectMany(p => p._blocks)]);
    }

    /// <summary>The one float32 array behind these rows, as a matrix (not copied), or null where there is none (several
    /// blocks, or half precision).</summary>
    public Matrix? AsMatrix => _blocks is [{ Single: { } data } only] ? new Matrix(only.Rows, Cols, data) : _blocks.Length == 0 ? new Matrix(0, Cols) : null;

    /// <summary>Every row as one float32 matrix (a copy unless <see cref="AsMatrix"/> has it).</summary>
    public Matrix ToMatrix()
    {
        if (AsMatrix is { } m) return m;
        if ((long)Rows * Cols > Array.MaxLength)
            throw new InvalidOperationException($"{Rows:N0} rows of {Cols:N0} features are more values than one array holds ({Array.MaxLength:N0})");
        var all = new Matrix(Rows, Cols);
        CopyRowsInto(0, Rows, all);
        return all;
    }

    /// <summary>The rows as <paramref name="precision"/>: these where they are that already, else converted (float32
    /// to half rounds to nearest). A finite value beyond half precision's range throws <see cref="OverflowException"/>
    /// naming it, rather than becoming infinite.</summary>
    public FeatureRows In(FeaturePrecision precision)
    {
        if (precision == Precision) return this;
        return new(Cols, precision, [.. _blocks.Select((b, i) => precision == FeaturePrecision.Half ? ToHalf(b, _starts[i]) : ToSingle(b))]);
    }

    Block ToHalf(Block b, int firstRow)
    {
        var half = new Half[b.Single!.LongLength];
        TensorPrimitives.ConvertToHalf(b.Single, half);
        CheckHalf(b.Single, half, firstRow);
        return new Block(b.Rows, null, half);
    }

    static Block ToSingle(Block b)
    {
        var single = new float[b.Half!.LongLength];
        TensorPrimitives.ConvertToSingle(b.Half, single);
        return new Block(b.Rows, single, null);
    }

    /// <summary>Refuses a finite value that half precision rounded to infinity (|x| ≥ 65,520).</summary>
    void CheckHalf(ReadOnlySpan<float> single, ReadOnlySpan<Half> half, int firstRow)
    {
        for (int i = 0; i < half.Length; i++)
            if (Half.IsInfinity(half[i]) && float.IsFinite(single[i]))
                throw new OverflowException($"features[{firstRow + i / Cols},{i % Cols}] = {single[i]} is beyond half precision's range (±65,504)");
    }

    /// <summary>The rows named by <paramref name="indices"/>, in that order, into <paramref name="dst"/> (indices.Length × Cols).</summary>
    public void GatherInto(ReadOnlySpan<int> indices, Matrix dst)
    {
        CheckDestination(dst, indices.Length);
        for (int i = 0; i < indices.Length; i++)
        {
            int r = indices[i];
            if ((uint)r >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(indices), r, $"row indices must be in [0, {Rows})");
            ReadRow(r, dst.Row(i));
        }
    }

    /// <summary>Rows <paramref name="start"/> .. start + count - 1 into <paramref name="dst"/> (count × Cols).</summary>
    public void CopyRowsInto(int start, int count, Matrix dst)
    {
        if (start < 0 || count < 0 || start > Rows - count)
            throw new ArgumentOutOfRangeException(nameof(start), $"rows {start}..{start + count - 1} are outside 0..{Rows - 1}");
        CheckDestination(dst, count);
        for (int i = 0; i < count; i++) ReadRow(start + i, dst.Row(i));
    }

    void CheckDestination(Matrix dst, int rows)
    {
        if (dst.Rows != rows || dst.Cols != Cols)
            throw new ArgumentException($"dst is {dst.Rows}x{dst.Cols}; {rows} rows of these features need {rows}x{Cols}", nameof(dst));
    }

    void ReadRow(int r, Span<float> dst)
    {
        var (b, i) = Locate(r);
        var block = _blocks[b];
        if (block.Single is { } s) s.AsSpan(i * Cols, Cols).CopyTo(dst);
        else TensorPrimitives.ConvertToSingle(block.Half.AsSpan(i * Cols, Cols), dst);
    }

    (int Block, int Row) Locate(int r)
    {
        if (_blocks.Length == 1) return (0, r);
        int b = Array.BinarySearch(_starts, r);
        b = b >= 0 ? b : ~b - 1;
        while (_blocks[b].Rows == 0 || r - _starts[b] >= _blocks[b].Rows) b++;   // empty blocks share a start
        return (b, r - _starts[b]);
    }

    /// <summary>The rows <paramref name="indices"/>, in that order, as new rows of the same precision (in blocks that
    /// each fit one array).</summary>
    public FeatureRows Subset(ReadOnlySpan<int> indices)
    {
        int per = Math.Max(1, Array.MaxLength / Math.Max(Cols, 1));
        var blocks = new List<Block>();
        for (int start = 0; start < indices.Length || blocks.Count == 0; start += per)
        {
            int rows = Math.Min(per, indices.Length - start);
            if (Precision == FeaturePrecision.Single)
            {
                var m = new Matrix(rows, Cols);
                GatherInto(indices.Slice(start, rows), m);
                blocks.Add(new Block(rows, m.Data, null));
            }
            else
            {
                var half = new Half[(long)rows * Cols];
                for (int i = 0; i < rows; i++)
                {
                    var (b, at) = Locate(indices[start + i]);
                    _blocks[b].Half.AsSpan(at * Cols, Cols).CopyTo(half.AsSpan(i * Cols, Cols));
                }
                blocks.Add(new Block(rows, null, half));
            }
        }
        return new(Cols, Precision, [.. blocks]);
    }

    /// <summary>Calls <paramref name="visit"/> on every row in order, as float32 (float32 rows in place, half-precision
    /// ones converted into a buffer).</summary>
    public void ForEachRow(Action<ReadOnlySpan<float>> visit)
    {
        var buffer = new float[Cols];
        foreach (var block in _blocks)
            for (int i = 0; i < block.Rows; i++)
            {
                if (block.Single is { } s) visit(s.AsSpan(i * Cols, Cols));
                else
                {
                    TensorPrimitives.ConvertToSingle(block.Half.AsSpan(i * Cols, Cols), buffer);
                    visit(buffer);
                }
            }
    }

    /// <summary>x = (x - <paramref name="subtract"/>) * <paramref name="scale"/>, column by column, in place, row by row.
    /// Half-precision rows are converted to float32 and back; a finite value rounded beyond half's range throws
    /// <see cref="OverflowException"/>, that row and the rows after it left as they were.</summary>
    public void SubtractThenScale(float[] subtract, float[] scale)
    {
        if (subtract.Length != Cols || scale.Length != Cols)
            throw new ArgumentException($"subtract has {subtract.Length} and scale {scale.Length} values; the rows have {Cols} columns");
        var buffer = new float[Cols];
        var half = new Half[Cols];
        for (int r = 0; r < Rows; r++)
        {
            var (b, i) = Locate(r);
            var block = _blocks[b];
            var row = block.Single is { } s ? s.AsSpan(i * Cols, Cols) : buffer;
            if (block.Half is { } h) TensorPrimitives.ConvertToSingle(h.AsSpan(i * Cols, Cols), buffer);
            TensorPrimitives.Subtract(row, subtract, row);
            TensorPrimitives.Multiply(row, scale, row);
            if (block.Half is { } back)
            {
                TensorPrimitives.ConvertToHalf(buffer, half);
                CheckHalf(buffer, half, r);
                half.CopyTo(back.AsSpan(i * Cols, Cols));
            }
        }
    }

    /// <summary>The half-precision rows' arrays in order, for writing them out.</summary>
    public IEnumerable<Half[]> HalfBlocks => _blocks.Select(b => b.Half ?? throw new InvalidOperationException("the rows are in float32"));
}

namespace Hebb.Contracts;

/// <summary>
/// Argument checks shared by every engine, so that each refuses bad input with the same message:
/// the argument's name, its value, and what is allowed. Nothing here does math.
/// </summary>
public static class Check
{
    public static void Shape(Matrix m, int rows, int cols, string name)
    {
        ArgumentNullException.ThrowIfNull(m, name);
        if ((rows >= 0 && m.Rows != rows) || m.Cols != cols)
            throw new ArgumentException(
                $"{name} is {m.Rows}x{m.Cols}; expected {(rows >= 0 ? rows.ToString() : "any")}x{cols}", name);
    }

    /// <summary>An initial state: exactly rows x cols finite values.</summary>
    public static void State(Matrix m, int rows, int cols, string name)
    {
        Shape(m, rows, cols, name);
        Finite(m, name);
    }

    /// <summary>A batch: any number (at least one) of rows of <paramref name="cols"/> finite values.</summary>
    public static void Batch(Matrix m, int cols, string name)
    {
        Shape(m, -1, cols, name);
        NonEmpty(m, name);
        Finite(m, name);
    }

    public static void LearningRate(double learningRate)
    {
        if (!double.IsFinite(learningRate) || learningRate < 0)
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "learningRate must be a finite number >= 0");
    }

    public static void NonEmpty(Matrix m, string name)
    {
        ArgumentNullException.ThrowIfNull(m, name);
        if (m.Rows == 0) throw new ArgumentException($"{name} has 0 rows; at least 1 is required", name);
    }

    public static void Finite(Matrix m, string name) => Finite(m.Data, m.Cols, 0, name);

    /// <summary>Rows of <paramref name="cols"/> values, the first of them row <paramref name="firstRow"/> of
    /// <paramref name="name"/>: every value finite.</summary>
    public static void Finite(ReadOnlySpan<float> d, int cols, int firstRow, string name)
    {
        int i = FirstNonFinite(d);
        if (i < 0) return;
        cols = Math.Max(cols, 1);
        throw new ArgumentException($"{name}[{firstRow + i / cols},{i % cols}] = {d[i]}; every value must be finite", name);
    }

    /// <summary>The index of the first NaN or infinite value, or -1 when every value is finite.</summary>
    public static int FirstNonFinite(ReadOnlySpan<float> d)
    {
        // Fast path: the sum of |x| * 0 is 0 for finite data and NaN as soon as one element is NaN or infinite.
        if (System.Numerics.Tensors.TensorPrimitives.SumOfMagnitudes(d) * 0f == 0f) return -1;
        for (int i = 0; i < d.Length; i++)
            if (!float.IsFinite(d[i])) return i;
        return -1;
    }

    public static void Finite(double value, string name)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite");
    }

    /// <summary>Dropout masks: one rows x widths[l] matrix of 0s and 1s per hidden layer.</summary>
    public static void Masks(IReadOnlyList<Matrix> masks, int rows, int[] widths, string name)
    {
        ArgumentNullException.ThrowIfNull(masks, name);
        if (masks.Count != widths.Length)
            throw new ArgumentException($"{name} has {masks.Count} masks; one per hidden layer ({widths.Length}) is required", name);
        for (int l = 0; l < widths.Length; l++)
        {
            Shape(masks[l], rows, widths[l], $"{name}[{l}]");
            var d = masks[l].Data;
            for (int i = 0; i < d.Length; i++)
                if (d[i] != 0f && d[i] != 1f)
                    throw new ArgumentException($"{name}[{l}][{i / widths[l]},{i % widths[l]}] = {d[i]}; mask entries must be 0 or 1", name);
        }
    }

    public static void Labels(ReadOnlySpan<int> labels, int rows, int classes, string name)
    {
        if (labels.Length != rows)
            throw new ArgumentException($"{name} has {labels.Length} labels; the batch has {rows} rows", name);
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classes)
                throw new ArgumentOutOfRangeException(name, labels[i], $"{name}[{i}] = {labels[i]}; labels must be in 0..{classes - 1}");
    }
}

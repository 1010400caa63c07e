namespace Hebb.Data;

/// <summary>An n-dimensional array of float64 values in C order with its shape: what <see cref="Npy.ReadArray"/> reads
/// from a .npy file of any rank (float32 or float64) and <see cref="Npy.WriteArray"/> writes. The check cases of
/// <c>hebb check</c> hold their inputs and states as these.</summary>
public sealed record NdArray(int[] Shape, double[] Data)
{
    /// <summary>A zero array of this shape.</summary>
    public NdArray(params int[] shape) : this(shape, new double[Count(shape)]) { }

    public int Rank => Shape.Length;

    /// <summary>Item <paramref name="i"/> of the outermost axis (a step of a stacked trajectory), copied.</summary>
    public NdArray Item(int i)
    {
        if (Rank == 0 || (uint)i >= (uint)Shape[0]) throw new ArgumentOutOfRangeException(nameof(i), i, $"i must be in 0..{(Rank == 0 ? -1 : Shape[0] - 1)}");
        int size = Shape[0] == 0 ? 0 : Data.Length / Shape[0];
        return new(Shape[1..], Data.AsSpan(i * size, size).ToArray());
    }

    /// <summary>Arrays of the same shape stacked along a new outermost axis.</summary>
    public static NdArray Stack(IReadOnlyList<NdArray> items)
    {
        if (items.Count == 0) throw new ArgumentException("nothing to stack", nameof(items));
        var shape = items[0].Shape;
        var data = new double[items.Count * items[0].Data.Length];
        for (int i = 0; i < items.Count; i++)
        {
            if (!items[i].Shape.SequenceEqual(shape)) throw new ArgumentException($"item {i} has shape {Describe(items[i].Shape)}, item 0 {Describe(shape)}", nameof(items));
            items[i].Data.CopyTo(data, i * items[0].Data.Length);
        }
        return new([items.Count, .. shape], data);
    }

    /// <summary>The shape as NumPy prints it: (3, 4).</summary>
    public static string Describe(int[] shape) => shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";

    static int Count(int[] shape)
    {
        long n = 1;
        foreach (var s in shape)
        {
            if (s < 0) throw new ArgumentOutOfRangeException(nameof(shape), s, "every extent must be >= 0");
            n *= s;
            if (n > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(shape), Describe(shape), $"more than {Array.MaxLength:N0} elements");
        }
        return (int)n;
    }
}

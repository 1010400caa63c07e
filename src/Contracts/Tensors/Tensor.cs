namespace Hebb.Contracts;

/// <summary>
/// A dense row-major float32 tensor in host memory with a shape of rank 1 to 4, beside <see cref="Matrix"/>: images
/// and feature maps as N x C x H x W (the datasets' channel-major layout: index ((n C + c) H + y) W + x), a layer's
/// state as whatever shape it has (a SOM's weights as maps x neurons x patch, masks per head, relevances). Like
/// Matrix, it holds float32 on purpose, so that every engine sees bit-identical inputs.
/// </summary>
public sealed class Tensor
{
    /// <summary>The extent of each axis, outermost first.</summary>
    public IReadOnlyList<int> Shape { get; }
    public float[] Data { get; }

    public Tensor(params int[] shape) : this(shape, new float[Count(shape)]) { }

    public Tensor(int[] shape, float[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        long count = Count(shape);
        if (data.Length != count)
            throw new ArgumentException($"data has {data.Length} elements but a tensor of shape {Describe(shape)} needs {count}", nameof(data));
        Shape = (int[])shape.Clone();
        Data = data;
    }

    public int Rank => Shape.Count;

    /// <summary>The number of elements: the product of the shape.</summary>
    public int Length => Data.Length;

    /// <summary>The element at N x C x H x W index (n, c, y, x) of a rank-4 tensor.</summary>
    public float this[int n, int c, int y, int x]
    {
        get => Data[Offset4(n, c, y, x)];
        set => Data[Offset4(n, c, y, x)] = value;
    }

    /// <summary>Item <paramref name="n"/> of the outermost axis (an image of N x C x H x W), as a span of the rest.</summary>
    public Span<float> Sample(int n)
    {
        if ((uint)n >= (uint)Shape[0]) throw new ArgumentOutOfRangeException(nameof(n), n, $"n must be in 0..{Shape[0] - 1}");
        int size = Length / Math.Max(Shape[0], 1);
        return Data.AsSpan(n * size, size);
    }

    /// <summary>This tensor's data as a matrix of the outermost axis by the rest (N x C·H·W: a batch of images as the
    /// rules' contracts take it). Shares the data.</summary>
    public Matrix AsMatrix() => new(Shape[0], Shape[0] == 0 ? 0 : Length / Shape[0], Data);

    /// <summary>A matrix's data as a tensor of <paramref name="shape"/> (the same number of elements). Shares the data.</summary>
    public static Tensor Of(Matrix m, params int[] shape) => new(shape, m.Data);

    /// <summary>A matrix's data as a rank-2 tensor, Rows x Cols. Shares the data.</summary>
    public static Tensor Of(Matrix m) => new([m.Rows, m.Cols], m.Data);

    public Tensor Clone() => new([.. Shape], (float[])Data.Clone());

    public override string ToString() => $"Tensor {Describe([.. Shape])}";

    int Offset4(int n, int c, int y, int x)
    {
        if (Rank != 4) throw new InvalidOperationException($"a 4-index element needs a rank-4 tensor (N x C x H x W); this one is {Describe([.. Shape])}");
        if ((uint)n >= (uint)Shape[0] || (uint)c >= (uint)Shape[1] || (uint)y >= (uint)Shape[2] || (uint)x >= (uint)Shape[3])
            throw new IndexOutOfRangeException($"index ({n}, {c}, {y}, {x}) is outside the shape {Describe([.. Shape])}");
        return ((n * Shape[1] + c) * Shape[2] + y) * Shape[3] + x;
    }

    static int Count(int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length is < 1 or > 4) throw new ArgumentException($"shape has rank {shape.Length}; 1 to 4 axes are allowed", nameof(shape));
        long count = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] < 0) throw new ArgumentOutOfRangeException(nameof(shape), shape[i], $"shape[{i}] = {shape[i]}; every extent must be >= 0");
            count *= shape[i];
            if (count > Array.MaxLength)
                throw new ArgumentOutOfRangeException(nameof(shape), $"shape {Describe(shape)} holds more than {Array.MaxLength:N0} elements, the most one array holds");
        }
        return (int)count;
    }

    static string Describe(int[] shape) => string.Join(" x ", shape);
}

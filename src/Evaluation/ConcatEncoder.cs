using Hebb.Contracts;

namespace Hebb.Evaluation;

/// <summary>Several encoders side by side: their features concatenated (the multi-block network of Grinberg et al.,
/// Fig. 2 middle: NNL-CONV blocks of different W and n). Encodes a chunk of images at a time through every part, so
/// that no part's features for the whole set are held beside the result.</summary>
public sealed class ConcatEncoder(IReadOnlyList<IEncoder> parts) : IEncoder
{
    public string Name => string.Join(" + ", parts.Select(p => p.Name));
    public int Features => parts.Sum(p => p.Features);

    public Matrix Encode(Matrix images)
    {
        var outp = new Matrix(images.Rows, Features);
        const int chunk = 100;
        for (int start = 0; start < images.Rows; start += chunk)
        {
            int c = Math.Min(chunk, images.Rows - start), offset = 0;
            var v = images.SliceRows(start, c);
            foreach (var p in parts)
            {
                var h = p.Encode(v);
                for (int r = 0; r < c; r++) h.Row(r).CopyTo(outp.Row(start + r).Slice(offset, p.Features));
                offset += p.Features;
            }
        }
        return outp;
    }
}

using Hebb.Contracts;

namespace Hebb.Evaluation;

/// <summary>An encoder's features of many images a slice at a time, so that a long encoding (D-CSNN: about 12 minutes
/// for CIFAR-10's 50,000 training images) can say how far it is.</summary>
public static class SlicedEncoding
{
    /// <summary>Images a slice: a multiple of every encoder's own chunk (CSNN's 64, NNL-CONV's and the
    /// concatenation's 100, Krotov's 1,000), so that the features are those of one call on every image.</summary>
    public const int Slice = 8_000;

    /// <summary><paramref name="encoder"/>'s features of <paramref name="images"/>, <see cref="Slice"/> images at a
    /// time, calling <paramref name="encoded"/> with the images done after each slice.</summary>
    public static Matrix Encode(IEncoder encoder, Matrix images, Action<int> encoded)
    {
        if (images.Rows <= Slice)
        {
            var all = encoder.Encode(images);
            encoded(images.Rows);
            return all;
        }
        var result = new Matrix(images.Rows, encoder.Features);
        for (int at = 0; at < images.Rows; at += Slice)
        {
            int count = Math.Min(Slice, images.Rows - at);
            encoder.Encode(images.SliceRows(at, count)).Data.CopyTo(result.Data, (long)at * result.Cols);
            encoded(at + count);
        }
        return result;
    }
}

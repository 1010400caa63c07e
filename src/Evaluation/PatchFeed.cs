using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Hebb.Contracts;

namespace Hebb.Evaluation;

/// <summary>
/// Minibatches of image patches for learning convolutional filters (Grinberg, Hopfield &amp; Krotov 2019, section 2:
/// "the resulting set of patches ... is shuffled at each epoch and is organized into minibatches"), made without
/// ever holding all patches of the dataset: the images are taken in the given order in chunks, and each chunk's
/// patches are shuffled and cut into minibatches. Each patch is cut straight into its minibatch
/// (ConvOptions.CopyPatch, the layout of IConvLayer.Patches), then centred and/or scaled to unit length if asked
/// (ConvOptions.PreparePatch, as the cpu layer does).
/// A second thread makes the minibatches while the caller's thread runs the learning steps on the previous ones.
/// </summary>
public static class PatchFeed
{
    /// <summary>Seconds the learning steps waited for minibatches (the making not hidden behind the steps), and seconds
    /// the second thread spent making them.</summary>
    public readonly record struct Timing(double Waited, double Making);

    /// <summary>
    /// One epoch: the images <paramref name="order"/> in chunks of <paramref name="chunk"/> images; each chunk's patches
    /// in a random order (from <paramref name="rng"/>, used by the making thread only) cut into minibatches of
    /// <paramref name="batch"/> (the last of a chunk may be smaller), each handed to <paramref name="step"/> on the
    /// caller's thread, in order. A step's matrix is reused once the step returns: a step must not keep it.
    /// An exception on either side stops both and is rethrown here.
    /// </summary>
    public static Timing Epoch(Matrix images, int[] order, ConvOptions o, int chunk, int batch, bool center, bool unit, Random rng,
                               Action<Matrix> step, int depth = 4)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(step);
        o.Validate();
        int imageSize = o.Height * o.Width * o.Channels;
        if (images.Cols != imageSize)
            throw new ArgumentException($"images has {images.Cols} columns; {o.Height}x{o.Width}x{o.Channels} images need {imageSize}", nameof(images));
        if (chunk < 1) throw new ArgumentOutOfRangeException(nameof(chunk), chunk, "chunk must be >= 1 image");
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must be >= 1 patch");
        foreach (int i in order)
            if ((uint)i >= (uint)images.Rows)
                throw new ArgumentOutOfRangeException(nameof(order), i, $"image indices must be in [0, {images.Rows})");

        int n = o.PatchSize, positions = o.Positions;
        using var free = new BlockingCollection<float[]>();
        using var full = new BlockingCollection<Matrix>();
        for (int i = 0; i < depth + 1; i++) free.Add(new float[batch * n]);
        using var stop = new CancellationTokenSource();
        ExceptionDispatchInfo? failure = null;
        var making = new Stopwatch();
        var producer = new Thread(() =>
        {
            try
            {
                var ids = new int[Math.Min(chunk, Math.Max(order.Length, 1)) * positions];
                for (int start = 0; start < order.Length; start += chunk)
                {
                    int count = Math.Min(chunk, order.Length - start) * positions;
                    for (int i = 0; i < count; i++) ids[i] = i;
                    making.Start();
                    rng.Shuffle(ids.AsSpan(0, count));
                    making.Stop();
                    for (int b = 0; b < count; b += batch)
                    {
                        int rows = Math.Min(batch, count - b);
                        var buffer = rows == batch ? free.Take(stop.Token) : new float[rows * n];
                        making.Start();
                        for (int r = 0; r < rows; r++)
                        {
                            int id = ids[b + r];
                            var dst = buffer.AsSpan(r * n, n);
                            o.CopyPatch(images.Row(order[start + id / positions]), id % positions, dst);
                            ConvOptions.PreparePatch(dst, center, unit);
                        }
                        making.Stop();
                        full.Add(new Matrix(rows, n, buffer), stop.Token);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
            catch (Exception ex) { failure = ExceptionDispatchInfo.Capture(ex); }
            finally { full.CompleteAdding(); }
        }) { IsBackground = true, Name = "hebb patch feed" };
        var waited = new Stopwatch();
        producer.Start();
        try
        {
            while (true)
            {
                waited.Start();
                bool got = full.TryTake(out var m, Timeout.Infinite);
                waited.Stop();
                if (!got) break;
                step(m!);
                if (m!.Data.Length == batch * n) free.Add(m.Data);
            }
        }
        finally
        {
            stop.Cancel();
            producer.Join();
        }
        failure?.Throw();
        return new Timing(waited.Elapsed.TotalSeconds, making.Elapsed.TotalSeconds);
    }
}

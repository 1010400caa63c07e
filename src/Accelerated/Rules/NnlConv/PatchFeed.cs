using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Hebb.Contracts;

namespace Hebb.Accelerated.Rules.NnlConv;

/// <summary>
/// A pass over a minibatch source for a layer that takes one minibatch at a time (IKrotovLayer.Step): a second thread
/// makes the minibatches while the caller's thread runs the steps on the previous ones.
/// </summary>
public static class PatchFeed
{
    /// <summary>Seconds the steps waited for minibatches (the making not hidden behind the steps), and seconds
    /// the second thread spent making them.</summary>
    public readonly record struct Timing(double Waited, double Making);

    /// <summary>
    /// Every minibatch of <paramref name="source"/>, made on a second thread (up to <paramref name="depth"/> ahead)
    /// and handed to <paramref name="step"/> on the caller's thread, in order. A step's matrix is reused once the step
    /// returns: a step must not keep it. An exception on either side stops both and is rethrown here. The default
    /// depth, 128 minibatches, covers a chunk's shuffle and the second thread's hiccups (docs/PERFORMANCE.md).
    /// </summary>
    public static Timing Epoch(IMinibatchSource source, Action<Matrix> step, int depth = 128)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(step);
        if (depth < 1) throw new ArgumentOutOfRangeException(nameof(depth), depth, "depth must be >= 1 minibatch");
        int n = source.Columns, batch = source.MaxRows;
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
                while (true)
                {
                    making.Start();
                    int rows = source.Next();
                    making.Stop();
                    if (rows == 0) break;
                    var buffer = rows == batch ? free.Take(stop.Token) : new float[rows * n];
                    making.Start();
                    source.Fill(0, rows, buffer);
                    making.Stop();
                    full.Add(new Matrix(rows, n, buffer), stop.Token);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
            catch (Exception ex) { failure = ExceptionDispatchInfo.Capture(ex); }
            finally { full.CompleteAdding(); }
        }) { IsBackground = true, Name = "hebb minibatch feed" };
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

using System.Diagnostics;

namespace Hebb.Bench;

/// <summary>
/// The GEMM-only bound timed in slices: each <see cref="Run"/> times every configuration of <see cref="GemmBound.GemmOnly"/>
/// (given one minibatch, so that a pass is one product) for the given number of products, one after the other, and
/// adds each one's seconds to its own sum; the bound is the fastest configuration's sum. Run between slices of an
/// epoch's steps, it measures the same products as one pass after the epoch would, under the same drift of the
/// machine as the epoch beside it.
/// </summary>
public sealed class BoundSlices((string Name, Action<long> Run)[] configurations)
{
    /// <summary>The epoch's steps between two slices of the bound.</summary>
    public const int Steps = 4096;

    readonly double[] _seconds = new double[configurations.Length];

    public void Run(long products)
    {
        if (products == 0) return;
        Products += products;
        Slices++;
        for (int c = 0; c < configurations.Length; c++)
        {
            long t0 = Stopwatch.GetTimestamp();
            configurations[c].Run(products);
            _seconds[c] += Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
    }

    /// <summary>The products each configuration has run, over every slice.</summary>
    public long Products { get; private set; }

    /// <summary>The slices run.</summary>
    public int Slices { get; private set; }

    /// <summary>The fastest configuration's seconds over every slice.</summary>
    public double Seconds => _seconds.Min();

    /// <summary>The configurations timed.</summary>
    public int Ways => configurations.Length;

    /// <summary>The fastest configuration's name.</summary>
    public string Fastest => configurations[Array.IndexOf(_seconds, Seconds)].Name;
}

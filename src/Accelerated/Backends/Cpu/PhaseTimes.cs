using System.Diagnostics;

namespace Hebb.Accelerated.Backends.Cpu;

/// <summary>A phase hook that sums the seconds of each phase over every step (one clock read at each boundary).</summary>
public sealed class PhaseTimes(IReadOnlyList<string> names) : IPhaseHook
{
    readonly long[] _ticks = new long[names.Count];
    long _last;

    /// <summary>The phases' names, as the layer numbers them.</summary>
    public IReadOnlyList<string> Names { get; } = names;

    /// <summary>Steps started.</summary>
    public long Steps { get; private set; }

    public void Start()
    {
        Steps++;
        _last = Stopwatch.GetTimestamp();
    }

    public void End(int phase)
    {
        long now = Stopwatch.GetTimestamp();
        _ticks[phase] += now - _last;
        _last = now;
    }

    /// <summary>The seconds spent in the phase named <paramref name="name"/>, over every step.</summary>
    public double this[string name]
    {
        get
        {
            int i = Names.ToList().IndexOf(name);
            if (i < 0) throw new ArgumentOutOfRangeException(nameof(name), name, $"the phases are {string.Join(", ", Names)}");
            return (double)_ticks[i] / Stopwatch.Frequency;
        }
    }
}

namespace Hebb.Accelerated.Backends.Cpu;

/// <summary>
/// A barrier for a few threads that each arrive every few microseconds: they spin (yielding the core after a while,
/// never sleeping) instead of blocking on a kernel event, whose wake-up would cost as much as the work between two
/// barriers. <see cref="Break"/> releases every waiter with <see cref="BrokenException"/> (a thread failed).
/// </summary>
sealed class SpinBarrier(int parties)
{
    public sealed class BrokenException : Exception;

    readonly int _parties = parties;
    int _remaining = parties;
    volatile int _phase;
    volatile bool _broken;

    public void Wait()
    {
        int phase = _phase;
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            _remaining = _parties;
            _phase = phase + 1;
            return;
        }
        // A short pause per check (SpinWait's own back-off grows to pauses longer than the work between barriers);
        // after about 20,000 checks, yield the core too.
        for (int spins = 0; _phase == phase; spins++)
        {
            if (_broken) throw new BrokenException();
            if (spins < 20_000) Thread.SpinWait(1);
            else Thread.Yield();
        }
    }

    public void Break() => _broken = true;
}

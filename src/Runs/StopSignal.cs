using System.Runtime.InteropServices;

namespace Hebb.Runs;

/// <summary>Ctrl-C (SIGINT) and SIGTERM asked for while a training loop runs: instead of killing the process, the
/// signal is noted, and the loop stops at its next step boundary, writes a checkpoint and throws
/// <see cref="StoppedException"/> (exit code 130), so that <c>--resume</c> continues where it stopped. The tests stop a
/// run at a chosen step the same way, through the environment variable HEBB_STOP_AFTER_STEPS.</summary>
public sealed class StopSignal : IDisposable
{
    readonly PosixSignalRegistration[] _registrations;
    volatile bool _requested;
    readonly long _stopAfter = long.TryParse(Environment.GetEnvironmentVariable("HEBB_STOP_AFTER_STEPS"), out long n) ? n : 0;
    long _steps;

    public StopSignal()
    {
        _registrations = [.. new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM }.Select(s => PosixSignalRegistration.Create(s, ctx =>
        {
            ctx.Cancel = true;   // the loop stops at its next step boundary
            _requested = true;
        }))];
    }

    /// <summary>Counts a step taken (for HEBB_STOP_AFTER_STEPS).</summary>
    public void Stepped() => _steps++;

    /// <summary>Whether a stop was asked for (by a signal, or by HEBB_STOP_AFTER_STEPS once that many steps are taken).</summary>
    public bool Requested => _requested || (_stopAfter > 0 && _steps >= _stopAfter);

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
    }
}

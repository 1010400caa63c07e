using Hebb.Accelerated;

namespace Hebb.Tests.Equivalence;

/// <summary>Whether a backend can start on this machine, asked once per backend: null, or the reason it cannot.</summary>
public static class BackendPresence
{
    static readonly Dictionary<string, string?> Reasons = new();

    /// <summary>Null where <paramref name="backend"/> (a <see cref="BackendSelector"/> name, or "openblas") starts here,
    /// else why not.</summary>
    public static string? WhyNot(string backend)
    {
        lock (Reasons)
        {
            if (!Reasons.TryGetValue(backend, out var why))
            {
                if (backend == "openblas")
                    why = BackendSelector.OpenBlasMissing() is { } blas ? "cpu (OpenBLAS) backend not present: " + blas : null;
                else
                {
                    try { (BackendSelector.Create(backend) as IDisposable)?.Dispose(); why = null; }
                    catch (NotSupportedException ex) { why = $"{backend} backend not present: {ex.Message}"; }
                }
                Reasons[backend] = why;
            }
            return why;
        }
    }
}

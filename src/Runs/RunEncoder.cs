using Hebb.Contracts;
using Hebb.Evaluation;

namespace Hebb.Runs;

/// <summary>
/// A run's encoder as a recipe opens it for the probes: the encoder; where the rule's units compete, the winner of each image (for neuron utilization and
/// selectivity); what to say when features overflow; and the layers to dispose of at the end.
/// </summary>
public sealed class RunEncoder(IEncoder encoder, IReadOnlyList<IDisposable> owned) : IDisposable
{
    public IEncoder Encoder { get; } = encoder;

    /// <summary>The units that compete (K) and the winning unit of each image (largest current, ties to the lowest),
    /// or null where the representation has no such units.</summary>
    public (int Units, Func<Matrix, int[]> Winners)? Competition { get; init; }

    /// <summary>Whether <see cref="Competition"/>'s Winners takes the encoded test features (as the encoder wrote them,
    /// before any standardization) instead of the test images: where the winner is read off the representation, so
    /// that it costs no second encoding.</summary>
    public bool WinnersFromFeatures { get; init; }

    /// <summary>Why features may not be finite with these options, or null (then: "the encoder produced NaN or infinite values").</summary>
    public string? OverflowCause { get; init; }

    public void Dispose()
    {
        foreach (var d in owned) d.Dispose();
    }
}

using Xunit;

namespace Hebb.Tests.Equivalence;

/// <summary>Skips the theory, with the reason, where OpenBLAS cannot be loaded.</summary>
public sealed class OpenBlasTheoryAttribute : TheoryAttribute
{
    public OpenBlasTheoryAttribute()
    {
        if (BackendPresence.WhyNot("openblas") is { } why) Skip = why;
    }
}

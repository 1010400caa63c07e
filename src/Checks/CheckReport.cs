namespace Hebb.Checks;

/// <summary>The outcome of <c>hebb check compare</c>: whether the implementation matches a variant (its name, or null),
/// the first step where it departs from the case's own variant (0 when it does not), and the report's lines.</summary>
public sealed record CheckReport(string? Matches, int FirstDeparture, IReadOnlyList<string> Lines)
{
    public override string ToString() => string.Join(Environment.NewLine, Lines);
}

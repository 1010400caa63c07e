namespace Hebb.Checks;

/// <summary>A reading of a rule that an outside implementation may follow (the paper's equation, the authors' code):
/// its name on the command line, what it is, and its step: the state after step <c>t</c> (0-based) from a state before it,
/// computed by the reference engine's functions.</summary>
public sealed record CheckVariant(string Name, string Description, Func<State, int, State> Step);

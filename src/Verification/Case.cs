using Hebb.Contracts;

namespace Hebb.Verification;

/// <summary>One equivalence case: runs the same inputs through the reference and the engine under test.</summary>
public sealed record Case(string Rule, string Name, Func<IEngine, IEngine, IEnumerable<Comparison>> Run);

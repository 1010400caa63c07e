namespace Hebb.Verification;

/// <summary>
/// One rule's equivalence cases (a class with a public parameterless constructor, in this assembly, beside the rule's
/// tolerances). <see cref="Cases.All"/> finds every such class, so a rule adds its cases by adding the class.
/// </summary>
public interface ICaseSource
{
    /// <summary>The cases, each naming its rule (<see cref="Hebb.Contracts.IRule.Name"/>).</summary>
    IEnumerable<Case> Cases();
}

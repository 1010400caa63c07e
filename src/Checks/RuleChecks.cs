using Hebb.Contracts;

namespace Hebb.Checks;

/// <summary>Every rule's check (<see cref="IRuleCheck"/>), found among the classes of this assembly.</summary>
public static class RuleChecks
{
    static readonly Lazy<IReadOnlyList<IRuleCheck>> _all = new(() => Registrations.Of<IRuleCheck>().OrderBy(c => c.Rule, StringComparer.Ordinal).ToList());

    public static IReadOnlyList<IRuleCheck> All => _all.Value;

    /// <summary>The check of the rule of this name or alias, or null.</summary>
    public static IRuleCheck? Find(string rule) => Rules.Find(rule) is { } r ? All.FirstOrDefault(c => c.Rule == r.Name) : null;
}

using System.Diagnostics.CodeAnalysis;

namespace Hebb.Contracts;

/// <summary>Every rule's card (<see cref="IRule"/>), found among the classes of this assembly: adding a rule adds its
/// card and edits no list.</summary>
public static class Rules
{
    static readonly Lazy<IReadOnlyList<IRule>> _all = new(Discover);

    /// <summary>Every rule, by name.</summary>
    public static IReadOnlyList<IRule> All => _all.Value;

    /// <summary>The rule of this name or alias, or null.</summary>
    public static IRule? Find(string name) =>
        All.FirstOrDefault(r => r.Name == name) ?? All.FirstOrDefault(r => r.Aliases.Contains(name));

    /// <summary>The rule of this name or alias, or ArgumentOutOfRangeException naming the rules there are.</summary>
    public static IRule Get(string name, string argument = "rule") =>
        Find(name) ?? throw new ArgumentOutOfRangeException(argument, name, $"{argument} must be one of {string.Join(", ", All.Select(r => r.Name))}");

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The CLI roots Hebb.Contracts (TrimmerRootAssembly), so no rule's card is trimmed away.")]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "As above: the cards' constructors are kept with the assembly.")]
    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "As above.")]
    static IReadOnlyList<IRule> Discover()
    {
        var rules = typeof(IRule).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && !t.IsInterface && typeof(IRule).IsAssignableFrom(t))
            .Select(t => (IRule)Activator.CreateInstance(t)!)
            .OrderBy(r => r.Name, StringComparer.Ordinal)
            .ToList();
        var names = rules.SelectMany(r => r.Aliases.Prepend(r.Name)).GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (names.Count > 0) throw new InvalidOperationException($"two rules share the name(s) {string.Join(", ", names)}");
        return rules;
    }
}

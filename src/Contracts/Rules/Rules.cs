namespace Hebb.Contracts;

/// <summary>Every rule's card (<see cref="IRule"/>), found among the classes of this assembly (<see cref="Registrations"/>): adding a rule adds its
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

    static IReadOnlyList<IRule> Discover()
    {
        var rules = Registrations.Of<IRule>()
            .OrderBy(r => r.Name, StringComparer.Ordinal)
            .ToList();
        var names = rules.SelectMany(r => r.Aliases.Prepend(r.Name)).GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (names.Count > 0) throw new InvalidOperationException($"two rules share the name(s) {string.Join(", ", names)}");
        return rules;
    }
}

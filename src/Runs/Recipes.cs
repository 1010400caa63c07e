using Hebb.Contracts;

namespace Hebb.Runs;

/// <summary>Every rule's recipe (<see cref="IRecipe"/>), found among the classes of this assembly.</summary>
public static class Recipes
{
    static readonly Lazy<IReadOnlyList<IRecipe>> _all = new(Discover);

    /// <summary>Every recipe, in the order of the rules' names.</summary>
    public static IReadOnlyList<IRecipe> All => _all.Value;

    /// <summary>The recipe of a rule (its name or an alias), or null where the rule has none.</summary>
    public static IRecipe? Find(string rule)
    {
        string name = Rules.Find(rule)?.Name ?? rule;
        return All.FirstOrDefault(r => r.Rule == name);
    }

    static IReadOnlyList<IRecipe> Discover()
    {
        var recipes = Registrations.Of<IRecipe>()
            .OrderBy(r => r.Rule, StringComparer.Ordinal)
            .ToList();
        var orphans = recipes.Where(r => Rules.Find(r.Rule) is null).Select(r => r.Rule).ToList();
        if (orphans.Count > 0) throw new InvalidOperationException($"recipes for rules that have no card (IRule): {string.Join(", ", orphans)}");
        return recipes;
    }
}

using Hebb.Contracts;

namespace Hebb.Verification;

/// <summary>
/// The equivalence cases of every rule, shared by tests/Equivalence (one xunit class per backend) and
/// `hebb verify`: each rule's <see cref="ICaseSource"/>, found in this assembly. All inputs come from fixed seeds
/// (the generators below), outside the engines.
/// </summary>
public static class Cases
{
    static readonly Lazy<IReadOnlyList<Case>> _all = new(Discover);

    /// <summary>Every rule's cases, rule by rule in the order of the rules' names.</summary>
    public static IReadOnlyList<Case> All => _all.Value;

    /// <summary>Why <paramref name="engine"/> (or the reference) cannot run <paramref name="c"/>: the reason one of them
    /// gives for not implementing the case's rule; null when both implement it.</summary>
    public static string? Unsupported(Case c, IEngine reference, IEngine engine)
    {
        var rule = Rules.Find(c.Rule) ?? throw new InvalidOperationException($"case '{c.Name}' names the rule '{c.Rule}', which has no card (IRule)");
        if (!reference.Implements(rule, out var why)) return why;
        return engine.Implements(rule, out why) ? null : why;
    }

    /// <summary>Runs a case, or, where one of the engines does not implement its rule, reports it as skipped with the
    /// reason; an exception from the case is a failure that carries it.</summary>
    public static IReadOnlyList<Comparison> Run(Case c, IEngine reference, IEngine engine)
    {
        if (Unsupported(c, reference, engine) is { } why) return [Comparison.Skipped(c.Rule, c.Name, why)];
        try { return c.Run(reference, engine).ToList(); }
        catch (Exception ex) { return [new Comparison(c.Rule, c.Name, double.NaN, double.NaN, false, ex.ToString())]; }
    }

    static IReadOnlyList<Case> Discover()
    {
        var cases = Registrations.Of<ICaseSource>()
            .SelectMany(source => source.Cases())
            .OrderBy(c => c.Rule, StringComparer.Ordinal)   // stable: each rule's cases keep their order
            .ToList();
        var twice = cases.GroupBy(c => $"{c.Rule} / {c.Name}").Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (twice.Count > 0) throw new InvalidOperationException($"equivalence cases with the same name: {string.Join("; ", twice)}");
        var orphans = cases.Select(c => c.Rule).Distinct().Where(r => Rules.Find(r) is null).ToList();
        if (orphans.Count > 0) throw new InvalidOperationException($"cases name rules that have no card (IRule): {string.Join(", ", orphans)}");
        return cases;
    }
}

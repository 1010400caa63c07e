namespace Hebb.Contracts;

/// <summary>What every caller of an engine uses to reach a rule's factory.</summary>
public static class EngineExtensions
{
    /// <summary>The engine's factory for a rule, or null with the reason it has none.</summary>
    public static TFactory? Find<TFactory>(this IEngine engine, out string whyNot) where TFactory : class =>
        (TFactory?)engine.Find(typeof(TFactory), out whyNot);

    /// <summary>The engine's factory for a rule, or NotSupportedException saying which engine lacks which rule, and why.</summary>
    public static TFactory Get<TFactory>(this IEngine engine) where TFactory : class =>
        engine.Find<TFactory>(out var why) ?? throw new NotSupportedException($"{engine.Name} does not implement {typeof(TFactory).Name}: {why}");

    /// <summary>Whether the engine implements every one of a rule's factories; if not, why (the first one missing).</summary>
    public static bool Implements(this IEngine engine, IRule rule, out string whyNot)
    {
        foreach (var f in rule.Factories)
            if (engine.Find(f, out whyNot) is null) return false;
        whyNot = "";
        return true;
    }
}

using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Hebb.Contracts;

/// <summary>
/// What every engine shares: it finds its rule factories among the classes of its own assembly marked
/// <see cref="ImplementsAttribute"/> for its type (or a base type), the search done once per process for each engine
/// type and factory; makes each factory once, on first use, with the engine as the constructor's argument, and keeps it. Reasons for a missing factory come from
/// <see cref="NotImplementedOnAttribute"/>.
/// </summary>
public abstract class EngineBase : IEngine
{
    /// <summary>Each (engine type, factory) pair's implementation, or the reason there is none: found once per process.</summary>
    static readonly System.Collections.Concurrent.ConcurrentDictionary<(Type Engine, Type Factory), (Type? Implementation, string WhyNot)> Lookups = new();

    readonly Dictionary<Type, object> _factories = new();

    public abstract string Name { get; }

    public object? Find(Type factory, out string whyNot)
    {
        ArgumentNullException.ThrowIfNull(factory);
        if (!factory.IsInterface) throw new ArgumentException($"factory must be a rule's factory interface; {factory.Name} is not an interface", nameof(factory));
        var (type, why) = Lookup(GetType(), factory);
        whyNot = type is null ? $"{Name}: {why}" : "";
        if (type is null) return null;
        lock (_factories)
        {
            if (!_factories.TryGetValue(factory, out var made)) _factories[factory] = made = Make(type);
            return made;
        }
    }

    /// <summary>Why the engine type <paramref name="engine"/> does not implement <paramref name="rule"/>, or null when it
    /// does: from the attributes alone, without starting an engine (the equivalence tests skip cases with it).</summary>
    public static string? Missing(Type engine, IRule rule)
    {
        foreach (var f in rule.Factories)
            if (Lookup(engine, f) is (null, var why)) return $"{engine.Name}: {why}";
        return null;
    }

    static (Type? Implementation, string WhyNot) Lookup(Type engine, Type factory) =>
        Lookups.GetOrAdd((engine, factory), key => (Implementation(key.Engine, key.Factory, out var why), why));

    /// <summary>The class of <paramref name="engine"/>'s assembly that implements <paramref name="factory"/> on it, or null
    /// with the reason (a <see cref="NotImplementedOnAttribute"/>'s, else "no implementation").</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The CLI roots the Hebb assemblies (TrimmerRootAssembly), so no implementation is trimmed away.")]
    static Type? Implementation(Type engine, Type factory, out string whyNot)
    {
        var implementations = engine.Assembly.GetTypes()
            .Where(t => !t.IsAbstract && factory.IsAssignableFrom(t)
                        && t.GetCustomAttributes<ImplementsAttribute>().Any(a => a.Engine.IsAssignableFrom(engine)))
            .ToList();
        if (implementations.Count > 1)
            throw new InvalidOperationException($"{engine.Name}: {implementations.Count} implementations of {factory.Name} ({string.Join(", ", implementations.Select(t => t.Name))}); there must be one");
        whyNot = "";
        if (implementations.Count == 1) return implementations[0];
        whyNot = engine.Assembly.GetCustomAttributes<NotImplementedOnAttribute>()
            .FirstOrDefault(a => a.Factory == factory && a.Engine.IsAssignableFrom(engine))?.Reason
            ?? $"no implementation of {factory.Name}";
        return null;
    }

    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "The implementations' constructors are kept with their rooted assemblies.")]
    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "As above.")]
    object Make(Type implementation)
    {
        try { return Activator.CreateInstance(implementation, this)!; }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
            throw;
        }
    }
}

using System.Diagnostics.CodeAnalysis;

namespace Hebb.Bench;

/// <summary>Every benchmark (<see cref="IBench"/>), found among the classes of this assembly.</summary>
public static class Benches
{
    static readonly Lazy<IReadOnlyList<IBench>> _all = new(Discover);

    /// <summary>Every benchmark, in the order of their names.</summary>
    public static IReadOnlyList<IBench> All => _all.Value;

    public static IBench? Find(string name) => All.FirstOrDefault(b => b.Name == name);

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The CLI roots Hebb.Bench (TrimmerRootAssembly), so no benchmark is trimmed away.")]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "As above.")]
    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "As above.")]
    static IReadOnlyList<IBench> Discover() =>
        [.. typeof(IBench).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && !t.IsInterface && typeof(IBench).IsAssignableFrom(t))
            .Select(t => (IBench)Activator.CreateInstance(t)!)
            .OrderBy(b => b.Name, StringComparer.Ordinal)];
}

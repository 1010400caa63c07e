using System.Diagnostics.CodeAnalysis;

namespace Hebb.Contracts;

/// <summary>How registrations are found (rule cards, equivalence case sources, recipes, benches): one instance of every
/// concrete class of an assembly that implements <typeparamref name="T"/>, made by its public parameterless
/// constructor. The CLI roots the Hebb assemblies (TrimmerRootAssembly), so the trimmer keeps what only this reaches.</summary>
public static class Registrations
{
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The CLI roots the Hebb assemblies (TrimmerRootAssembly), so no registration is trimmed away.")]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "As above: their constructors are kept with their assemblies.")]
    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "As above.")]
    public static IEnumerable<T> Of<T>() where T : class =>
        typeof(T).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && !t.IsInterface && typeof(T).IsAssignableFrom(t))
            .Select(t => (T)Activator.CreateInstance(t)!);
}

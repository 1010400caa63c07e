using Hebb.Contracts;

namespace Hebb.Bench;

/// <summary>Every benchmark (<see cref="IBench"/>), found among the classes of this assembly.</summary>
public static class Benches
{
    static readonly Lazy<IReadOnlyList<IBench>> _all = new(Discover);

    /// <summary>Every benchmark, in the order of their names.</summary>
    public static IReadOnlyList<IBench> All => _all.Value;

    public static IBench? Find(string name) => All.FirstOrDefault(b => b.Name == name);

    static IReadOnlyList<IBench> Discover() => [.. Registrations.Of<IBench>().OrderBy(b => b.Name, StringComparer.Ordinal)];
}

namespace Hebb.Contracts;

/// <summary>
/// An engine: the reference, or one accelerated backend. It makes the layers of the rules it implements and keeps
/// their state (host or device memory). Which rules it implements is not a list here: each rule's factory
/// (<see cref="IKrotovFactory"/>, ...) is found with <see cref="Find"/>, and each rule brings extension methods
/// (<c>engine.CreateKrotov(...)</c>) that call it.
/// </summary>
public interface IEngine
{
    /// <summary>For example "reference" or "accelerated/cpu (OpenBLAS)".</summary>
    string Name { get; }

    /// <summary>The engine's implementation of the rule factory interface <paramref name="factory"/>, or null with
    /// <paramref name="whyNot"/> saying why this engine has none.</summary>
    object? Find(Type factory, out string whyNot);
}

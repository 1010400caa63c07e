namespace Hebb.Contracts;

/// <summary>
/// Marks a class as the implementation of one or more rule factories (the interfaces it implements, such as
/// <see cref="IKrotovFactory"/>) on the engine type <see cref="Engine"/> (and engines derived from it). The class has
/// a public constructor that takes that engine. <see cref="EngineBase"/> finds such classes in the engine's own
/// assembly, so a rule's backend files register it: no list of rules is edited.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ImplementsAttribute(Type engine) : Attribute
{
    public Type Engine { get; } = engine;
}

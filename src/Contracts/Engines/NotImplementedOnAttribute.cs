namespace Hebb.Contracts;

/// <summary>
/// Says, in the assembly of the engine type <see cref="Engine"/>, that this engine does not implement the rule factory
/// <see cref="Factory"/>, and why. <c>hebb rules</c>, <c>hebb verify</c> and the equivalence tests show the reason.
/// An engine with neither an implementation nor this attribute for a factory reports a plain "not implemented".
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class NotImplementedOnAttribute(Type engine, Type factory, string reason) : Attribute
{
    public Type Engine { get; } = engine;
    public Type Factory { get; } = factory;
    public string Reason { get; } = reason;
}

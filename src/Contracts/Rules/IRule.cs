namespace Hebb.Contracts;

/// <summary>
/// A rule's card: its name, its paper and equations, and the factory interfaces an engine implements for it. Each
/// rule has one class implementing this (with a public parameterless constructor) beside its options in Contracts;
/// <see cref="Rules"/> finds it there. Trainable layers (the probes, Krotov–Hopfield's top layer) are rules too.
/// </summary>
public interface IRule
{
    /// <summary>The rule's name on the command line and in the equivalence cases, for example "krotov".</summary>
    string Name { get; }

    /// <summary>Other names the command line accepts for it (an older name, for example).</summary>
    IReadOnlyList<string> Aliases => [];

    /// <summary>One line: what the rule is.</summary>
    string Title { get; }

    /// <summary>The paper, as cited, and its file in ../shared/papers.</summary>
    string Paper { get; }

    /// <summary>The equations the rule implements, each "eq. N: what it is", in the paper's order.</summary>
    IReadOnlyList<string> Equations { get; }

    /// <summary>Whether the rule is a trainable layer that other commands train (the probes, the top layer), rather than
    /// a rule of its own that <c>hebb train</c> takes.</summary>
    bool IsTrainableLayer => false;

    /// <summary>The factory interfaces an engine implements for this rule (an engine implements the rule when it has
    /// all of them).</summary>
    IReadOnlyList<Type> Factories { get; }
}

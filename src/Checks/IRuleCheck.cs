using Hebb.Runs;
using Hebb.Verification;

namespace Hebb.Checks;

/// <summary>
/// How <c>hebb check</c> holds an outside implementation of a rule to the reference: a class with a public parameterless
/// constructor in this assembly, in the rule's folder, found by <see cref="RuleChecks"/> (a rule adds its check by adding
/// the class). It exports a case, names the variants an implementation may follow, and explains a departure in the rule's
/// own terms.
/// </summary>
public interface IRuleCheck
{
    /// <summary>The rule's name (<see cref="Hebb.Contracts.IRule.Name"/>).</summary>
    string Rule { get; }

    /// <summary>The options of <c>hebb check export RULE</c>, as help text.</summary>
    string ExportHelp { get; }

    /// <summary>Reads the rule's options from <paramref name="a"/> and makes the case: initial state, inputs, schedule and
    /// the reference's state after every step. Refuses bad and unknown options (<see cref="Args.RejectUnknown"/>) with a
    /// <see cref="UsageException"/> naming them, before any work.</summary>
    CheckCase Export(Args a);

    /// <summary>The README of a case folder: what each file holds, its layout, and the step to implement.</summary>
    string Readme(CheckCase c);

    /// <summary>The tolerance a float32 implementation's state is held to after one step replayed from its own previous
    /// state (the equivalence tests' own).</summary>
    Tolerance Tolerance(CheckCase c);

    /// <summary>The variants, the case's own first.</summary>
    IReadOnlyList<CheckVariant> Variants(CheckCase c);

    /// <summary>Where a step departs from <paramref name="expected"/>'s: whether a near-tie explains it (the state the
    /// other reading of the near-tied ranking gives matches <paramref name="theirs"/>), as a sentence, or null.</summary>
    string? NearTie(CheckCase c, int step, State before, State theirs, CheckVariant expected);

    /// <summary>Where a step departs from every variant: what differs (which units or filters, their role in the step),
    /// and which term of the rule explains it where one does, as lines a researcher can act on.</summary>
    IReadOnlyList<string> Diagnose(CheckCase c, int step, State before, State theirs, CheckVariant expected);
}

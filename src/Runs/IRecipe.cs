namespace Hebb.Runs;

/// <summary>
/// How one rule runs end to end: <c>hebb train RULE</c> (its options, initial state, batch source, schedule, metrics,
/// pictures, report), the encoder of its run folders for <c>hebb eval</c>, and any probe of its own. One class per rule
/// (with a public parameterless constructor) in this assembly, beside the rule's other run code; <see cref="Recipes"/>
/// finds it, so the command line dispatches by the rule's name and no list is edited.
/// </summary>
public interface IRecipe
{
    /// <summary>The rule's name, as its card (<see cref="Hebb.Contracts.IRule.Name"/>) gives it.</summary>
    string Rule { get; }

    /// <summary><c>hebb train RULE --help</c>.</summary>
    string TrainHelp { get; }

    /// <summary><c>hebb train RULE</c>: reads the recipe's options from <paramref name="a"/>, trains, writes the run
    /// folder; returns the exit code.</summary>
    int Train(Args a);

    /// <summary>The part of <c>hebb eval --help</c> about this rule's runs (its encoder's options, its own probes).</summary>
    string EvalHelp { get; }

    /// <summary>The probe <c>hebb eval</c> runs on this rule's runs when <c>--probe</c> is not given.</summary>
    string DefaultProbe { get; }

    /// <summary>Probes of the rule's own (Krotov &amp; Hopfield's "top"), beside the shared linear, MLP and few-shot.</summary>
    IReadOnlyList<string> OwnProbes { get; }

    /// <summary>Runs one of <see cref="OwnProbes"/> on the finished run <paramref name="run"/>; the exit code.</summary>
    int RunOwnProbe(string probe, string run, Args a);

    /// <summary>The eval options only this rule's encoder reads, each with what other runs answer when given it.</summary>
    IReadOnlyList<EncoderOption> EncoderOptions { get; }

    /// <summary>Reads the recipe's eval options for the finished run <paramref name="run"/> (its options.json
    /// <paramref name="options"/>) from <paramref name="a"/>, before any work, so that a bad option is refused first;
    /// the plan opens the encoder once the data is loaded.</summary>
    EncoderPlan PlanEncoder(string run, System.Text.Json.Nodes.JsonObject options, Args a);
}

namespace Hebb.Evaluation;

/// <summary>Train / validation / test sets and a sentence saying how they were made.</summary>
public sealed record Split(string Description, LabeledSet Train, LabeledSet? Validation, LabeledSet Test);

namespace Hebb.Checks;

/// <summary>A reading of one step that may explain an implementation's: its name, what it means in the paper's terms, and
/// the update's direction it gives (K x N, before scaling; the check fits the scale).</summary>
public sealed record KrotovHypothesis(string Name, string Explanation, double[,] Direction);

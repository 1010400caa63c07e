namespace Hebb.Evaluation;

/// <summary>A probe's training whose loss became NaN or infinite, or ended well above where it began (exit code 4, as a
/// diverged training run).</summary>
public sealed class ProbeDivergedException(string message) : Exception(message);

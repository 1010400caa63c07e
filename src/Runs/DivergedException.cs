namespace Hebb.Runs;

/// <summary>A training run's weights stopped being finite numbers (exit code 4).</summary>
public sealed class DivergedException(string message) : Exception(message);

namespace Hebb.Runs;

/// <summary>A training run stopped by Ctrl-C or SIGTERM at a step boundary, its checkpoint written (exit code 130).</summary>
public sealed class StoppedException(string message) : Exception(message);

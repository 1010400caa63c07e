namespace Hebb.Runs;

/// <summary>A command line was wrong: the message names the option, the value and what is allowed.</summary>
public sealed class UsageException(string message) : Exception(message);

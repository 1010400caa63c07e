namespace Hebb.Data;

/// <summary>A dataset file is missing, truncated or corrupt; the message says which file, what was wrong and where we looked.</summary>
public sealed class DataException(string message) : Exception(message);

namespace Hebb.Verification;

/// <summary>The bad-input cases' one check: an action must be refused with an exception of the expected type whose
/// message names what was wrong.</summary>
public static class Refusal
{
    /// <summary>"" where <paramref name="act"/> throws <typeparamref name="TException"/> with a message that contains
    /// <paramref name="mustName"/> (null: any message that is not empty); else what went wrong: <paramref name="accepted"/>
    /// where it did not throw, or the message that does not name it.</summary>
    public static string Of<TException>(Action act, string? mustName, string accepted) where TException : Exception
    {
        try
        {
            act();
            return accepted;
        }
        catch (TException ex)
        {
            if (mustName is null) return ex.Message.Length > 0 ? "" : "refused without a message";
            return ex.Message.Contains(mustName) ? "" : $"the message does not name {mustName}: {ex.Message}";
        }
    }
}

namespace Hebb.Data;

/// <summary>Where the readers say what is unusual about data they still read (a CIFAR-10 batch with other than 10,000
/// records): the command line writes these to standard error, so that such a set is never taken in silence.</summary>
public static class DataNotes
{
    /// <summary>Receives each note; null: notes are dropped (a library user sets it).</summary>
    public static Action<string>? Write { get; set; }
}

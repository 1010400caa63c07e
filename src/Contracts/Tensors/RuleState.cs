namespace Hebb.Contracts;

/// <summary>
/// A rule's state as named tensors, in a fixed order: "weights" for Krotov &amp; Hopfield and NNL-CONV; per head
/// weights and masks for CSNN ("weights/0", "masks/0", ...); weights, relevances and a node count that changes for a
/// growing SOM. What checkpoints save and resume, what pictures and reports read. A name is set once (a rule whose
/// node count changes makes a new state each time it is read).
/// </summary>
public sealed class RuleState : IEnumerable<(string Name, Tensor Value)>
{
    readonly List<(string Name, Tensor Value)> _entries = [];

    /// <summary>A state name as a file name's stem: "weights/0" is "weights.0" (checkpoints, hebb check's files).</summary>
    public static string FileStem(string name) => name.Replace('/', '.');

    /// <summary>The names, in the order they were added.</summary>
    public IReadOnlyList<string> Names => _entries.Select(e => e.Name).ToList();

    public int Count => _entries.Count;

    /// <summary>The tensor named <paramref name="name"/>; an error naming the names there are where it is missing.</summary>
    public Tensor this[string name] => TryGet(name, out var t) ? t
        : throw new KeyNotFoundException($"the state has no tensor '{name}'; it has {(Count == 0 ? "none" : string.Join(", ", Names))}");

    public bool TryGet(string name, out Tensor value)
    {
        foreach (var (n, v) in _entries)
            if (n == name) { value = v; return true; }
        value = null!;
        return false;
    }

    /// <summary>Adds a named tensor (for collection initializers: <c>new RuleState { { "weights", w } }</c>).</summary>
    public void Add(string name, Tensor value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        if (TryGet(name, out _)) throw new ArgumentException($"the state already has a tensor '{name}'", nameof(name));
        _entries.Add((name, value));
    }

    /// <summary>Every named tensor, in order.</summary>
    public IEnumerator<(string Name, Tensor Value)> GetEnumerator() => _entries.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

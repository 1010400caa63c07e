namespace Hebb.Contracts;

/// <summary>
/// Minibatches made on request, one after another, so that a pass over a large dataset never holds more than the
/// minibatches in flight (NNL-CONV's filters learn from every patch of every image: Grinberg, Hopfield &amp; Krotov,
/// section 2). The rows of one minibatch may be made by several threads at once.
/// </summary>
public interface IMinibatchSource
{
    /// <summary>The length of a row (N).</summary>
    int Columns { get; }

    /// <summary>The most rows a minibatch has.</summary>
    int MaxRows { get; }

    /// <summary>Moves to the next minibatch and returns its number of rows, or 0 when the pass is over. One thread at a
    /// time, and not while <see cref="Fill"/> runs.</summary>
    int Next();

    /// <summary>Writes rows [<paramref name="from"/>, <paramref name="to"/>) of the current minibatch into the same rows
    /// of <paramref name="rows"/> (row-major, <see cref="Columns"/> a row). Several threads may fill disjoint ranges of
    /// one minibatch at once.</summary>
    void Fill(int from, int to, Span<float> rows);
}

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

/// <summary>
/// A Krotov layer that runs a whole pass of the fast rule over a minibatch source itself, making the minibatches on
/// its own threads (the cpu backend splits each step and the making of the next minibatch over its cores). The
/// result is that of <see cref="IKrotovLayer.Step"/> on each minibatch in order.
/// </summary>
public interface IMinibatchLearner
{
    /// <summary>The threads <see cref="Learn"/> runs on. With 1 it gains nothing over <see cref="IKrotovLayer.Step"/>
    /// fed from a second thread that makes the minibatches, which callers then do instead.</summary>
    int Threads { get; }

    /// <summary>One step at <paramref name="learningRate"/> on every minibatch of <paramref name="source"/>, in order;
    /// <paramref name="afterStep"/> after each, on the caller's thread. An exception from the source or from
    /// <paramref name="afterStep"/> stops the pass and is rethrown here.</summary>
    void Learn(IMinibatchSource source, double learningRate, Action? afterStep = null);
}

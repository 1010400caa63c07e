namespace Hebb.Contracts;

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

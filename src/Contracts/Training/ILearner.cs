namespace Hebb.Contracts;

/// <summary>A layer that learns, one minibatch a step, with its rule's own step values (<see cref="IStepValues"/>).
/// A training loop needs only this and a schedule, whatever the rule.</summary>
public interface ILearner<in TValues> : IDisposable where TValues : IStepValues
{
    /// <summary>One step of the rule on <paramref name="batch"/> (one sample a row).</summary>
    void Step(Matrix batch, TValues values);

    /// <summary>The layer's state as named tensors (a host copy).</summary>
    RuleState ReadState();
}

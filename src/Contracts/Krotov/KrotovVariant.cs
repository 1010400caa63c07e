namespace Hebb.Contracts;

/// <summary>Which reading of Krotov &amp; Hopfield's fast minibatch rule (section 3) to run.</summary>
public enum KrotovVariant
{
    /// <summary>
    /// As the paper states it: eq. 2 with g = 1 for the top-ranked unit and g = -Delta for the
    /// k-th ranked, averaged over the minibatch: dW = lr * (1/B) * sum_b g (R^p v - I W).
    /// </summary>
    Paper,
    /// <summary>
    /// As the authors' published notebook does it: the same g, summed (not averaged) over the
    /// minibatch, and the whole update matrix divided by its largest absolute element (floored at
    /// <see cref="KrotovOptions.Precision"/>) before the learning rate is applied.
    /// </summary>
    AuthorsCode,
}

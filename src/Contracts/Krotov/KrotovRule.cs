namespace Hebb.Contracts;

/// <summary>Krotov &amp; Hopfield's competing hidden units: the card of the rule.</summary>
public sealed class KrotovRule : IRule
{
    public string Name => "krotov";
    public string Title => "competing hidden units: a ranked Hebbian layer on the unit p-sphere, and its encoder";
    public string Paper => "Krotov & Hopfield, Unsupervised learning by competing hidden units, PNAS 2019 (krotov-hopfield-competing-hidden-units.md)";
    public IReadOnlyList<string> Equations =>
    [
        "eq. 1: the encoder h = f(W v), f(x) = x^n for x >= 0, else 0",
        "eq. 2: the learning rule tau dW/dt = g(Q) (R^p v - <W, v> W), with the metric inner product <W, v>; its fixed point, the sphere sum |W|^p = R^p",
        "eq. 3 (appendix A): the Lyapunov function that never decreases on eq. 2's dynamics",
        "the fast minibatch rule: currents rank the units, g = 1 for the top-ranked unit and -Delta for the k-th, averaged over the minibatch",
    ];
    public IReadOnlyList<Type> Factories => [typeof(IKrotovFactory)];
}

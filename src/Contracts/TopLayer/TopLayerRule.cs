namespace Hebb.Contracts;

/// <summary>Krotov &amp; Hopfield's supervised top layer, trained by Adam on the frozen hidden layer: the card.</summary>
public sealed class TopLayerRule : IRule
{
    public string Name => "top";
    public string Title => "the supervised top layer c = tanh(S h), Adam on sum |c - t|^m (a trainable layer)";
    public string Paper => "Krotov & Hopfield, PNAS 2019, appendix B (krotov-hopfield-competing-hidden-units.md)";
    public IReadOnlyList<string> Equations =>
    [
        "eq. 1: c = tanh(S h) on the hidden layer's h = ReLU(W v)^n",
        "appendix B: the loss C = sum |c - t|^m with t in {-1, +1}, minimized by Adam",
    ];
    public bool IsTrainableLayer => true;
    public IReadOnlyList<Type> Factories => [typeof(ITopLayerFactory)];
}

namespace Hebb.Contracts;

/// <summary>The probes that judge a representation (linear, MLP, few-shot): a trainable layer set, the card.</summary>
public sealed class ProbeRule : IRule
{
    public string Name => "probe";
    public string Title => "the probes: linear and MLP classifiers (linear, batch norm, ELU, dropout, softmax), Adam (trainable layers)";
    public string Paper => "Stuhr & Brauer, CSNNs, section IV-B and IV-C (csnn-stuhr-brauer.md)";
    public IReadOnlyList<string> Equations =>
    [
        "section IV-B: the linear probe (softmax on the frozen features) and the MLP 512-256-classes, dropout 0.5 / 0.3",
        "section IV-C: the few-shot probe, N examples per class",
    ];
    public bool IsTrainableLayer => true;
    public IReadOnlyList<Type> Factories => [typeof(IClassifierFactory), typeof(IProbeLayersFactory)];
}

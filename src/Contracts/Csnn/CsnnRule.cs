namespace Hebb.Contracts;

/// <summary>Stuhr &amp; Brauer's convolutional self-organizing layer with Hebbian masks (CSNN): the card.</summary>
public sealed class CsnnRule : IRule
{
    public string Name => "csnn";
    public string Title => "CSNN: masked multi-head sconv layers, a SOM per head learning competitively, masks by local Hebbian rules";
    public string Paper => "Stuhr & Brauer, CSNNs: Unsupervised, Backpropagation-free Convolutional Neural Networks for Representation Learning (csnn-stuhr-brauer.md)";
    public IReadOnlyList<string> Equations =>
    [
        "eq. 1, 7-9: the scores of masked patches (input masks; masks between layers)",
        "eq. 2-3: the BMU per map, the winning map, the Gaussian neighbourhood over the grid",
        "eq. 4-6: the SOM update toward the unmasked patches, each weight vector normalized",
        "eq. 10-15: the masks' rules (Hebb, Oja; input modified by all masks, or by the earlier ones)",
        "section III-F, G: blocks (batch norm without trainable parameters, max pooling 'same'), layer-wise training of S-CSNN and D-CSNN",
    ];
    public IReadOnlyList<Type> Factories => [typeof(ICsnnFactory)];
}

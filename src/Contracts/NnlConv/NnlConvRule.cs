namespace Hebb.Contracts;

/// <summary>Grinberg, Hopfield &amp; Krotov's patch-normalized convolutional layer (NNL-CONV): the card. Its filters learn
/// by <see cref="KrotovRule"/>'s fast rule on patches.</summary>
public sealed class NnlConvRule : IRule
{
    public string Name => "nnl-conv";
    public IReadOnlyList<string> Aliases => ["conv"];
    public string Title => "NNL-CONV: patch-normalized convolution, f = ReLU(x)^n, max pooling; filters learned by the fast rule on patches";
    public string Paper => "Grinberg, Hopfield & Krotov, Local Unsupervised Learning for Image Analysis, 2019 (nnl-conv-grinberg-hopfield-krotov.md)";
    public IReadOnlyList<string> Equations =>
    [
        "eq. 1-2: Krotov & Hopfield's rule with p = 2 on patches, g = 1 for the strongest channel and -Delta for the m-th",
        "eq. 3: f(x) = ReLU(x)^n on the patch-normalized convolution, then max pooling (section 2)",
    ];
    public IReadOnlyList<Type> Factories => [typeof(INnlConvFactory)];
}

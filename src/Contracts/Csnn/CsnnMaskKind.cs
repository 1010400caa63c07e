namespace Hebb.Contracts;

/// <summary>Which mask a CSNN neuron has (Stuhr &amp; Brauer, section III-C).</summary>
public enum CsnnMaskKind
{
    /// <summary>Eq. 7: a mask over the whole input patch (C x K x K), the first layer's.</summary>
    Input,
    /// <summary>Eq. 9: a mask over the previous layer's C channels, the same at every position of the kernel (the
    /// paper's pairing), between sconv layers.</summary>
    BetweenLayers,
}

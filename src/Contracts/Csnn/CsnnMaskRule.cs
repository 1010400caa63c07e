namespace Hebb.Contracts;

/// <summary>The masks' local rule (Stuhr &amp; Brauer, section III-D).</summary>
public enum CsnnMaskRule
{
    /// <summary>Eq. 12 through Hebb's eq. 10: the input modified by gamma times the sum of y^_k o m_k over all masks of
    /// the map (the paper's D and S models, gamma = 1).</summary>
    AllMasks,
    /// <summary>Eq. 13 through Oja's eq. 11: the input modified by the masks before the neuron in the grid (the paper's
    /// D2 and S2 models, gamma = 0.5).</summary>
    EarlierMasks,
}

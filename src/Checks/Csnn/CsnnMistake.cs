namespace Hebb.Checks;

/// <summary>Departures from CSNN's step (Stuhr &amp; Brauer, eq. 2-15) that people make, each one the check can replay
/// (<see cref="CsnnTerms.Step"/>) to see whether it explains an implementation's weights or masks.</summary>
public enum CsnnMistake
{
    None,
    /// <summary>The BMU chosen by the unmasked score p . w (eq. 1), not the masked one (eq. 8).</summary>
    UnmaskedBmu,
    /// <summary>Every map's BMU updated where only the best map's should be, or only the best map's where every map's
    /// should be (the D-BMU option read the other way).</summary>
    OtherMaps,
    /// <summary>The weights learned from the masked patch p o m_i (eq. 4 takes the unmasked patch).</summary>
    MaskedPatchLearned,
    /// <summary>Eq. 5's renormalization to unit length missing.</summary>
    NoRenormalization,
    /// <summary>The neighbourhood exp(-d^2 / sigma^2), without eq. 3's 2.</summary>
    NeighbourhoodWithout2,
    /// <summary>Only the BMU's weights move (no neighbourhood).</summary>
    BmuOnly,
    /// <summary>Eq. 6 averaged over the patches the map won, not over every patch of the batch.</summary>
    AveragedOverWonPatches,
    /// <summary>The other mask rule: eq. 13 (Oja, earlier masks) for eq. 12 (Hebb, all masks) or the reverse.</summary>
    OtherMaskRule,
    /// <summary>The masks' input not modified by the masks (gamma = 0 in eq. 12 / 13).</summary>
    GammaZero,
    /// <summary>Every neuron's mask moved by h (the NH option), or only the BMU's where NH is on.</summary>
    OtherMaskNeighbourhood,
    /// <summary>The SOM's learning rate and the masks' swapped.</summary>
    RatesSwapped,
    /// <summary>Patch vectors flattened (dy, dx, c) while the weights and masks are channel-major.</summary>
    PatchLayout,
}

namespace Hebb.Contracts;

/// <summary>The values of one CSNN step: the SOM's learning rate a(t) of eq. 6 and the masks' of eq. 14 / 15 (the
/// paper: 0.1 and 0.005 in every layer).</summary>
public sealed record CsnnStep(double SomRate, double MaskRate) : IStepValues
{
    /// <summary>Refuses a rate that is not a finite number >= 0, naming it.</summary>
    public CsnnStep Validate()
    {
        if (!double.IsFinite(SomRate) || SomRate < 0) throw new ArgumentOutOfRangeException(nameof(SomRate), SomRate, "SomRate must be a finite number >= 0");
        if (!double.IsFinite(MaskRate) || MaskRate < 0) throw new ArgumentOutOfRangeException(nameof(MaskRate), MaskRate, "MaskRate must be a finite number >= 0");
        return this;
    }
}

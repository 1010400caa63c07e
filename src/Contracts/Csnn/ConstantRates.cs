namespace Hebb.Contracts;

/// <summary>CSNN's schedule as the authors train it: the SOM's and the masks' rates constant (0.1 and 0.005).</summary>
public sealed record ConstantRates(CsnnStep Rates) : ISchedule<CsnnStep>
{
    public CsnnStep At(TrainingTime time) => Rates;
}

namespace Hebb.Evaluation;

/// <summary>
/// A probe's outcome. With a validation set the pocket rule applies: the reported test accuracy is the one at
/// the step of best validation accuracy (the earliest such step on ties). Without one, the last step's.
/// </summary>
public sealed record ProbeResult(IReadOnlyList<ProbePoint> Curve, ProbePoint Chosen, double Seconds)
{
    public double TestAccuracy => Chosen.TestAccuracy ?? throw new InvalidOperationException("the chosen point's test accuracy was not measured");
}

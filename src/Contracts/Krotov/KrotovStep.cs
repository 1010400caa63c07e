namespace Hebb.Contracts;

/// <summary>The values of one step of Krotov &amp; Hopfield's fast rule: the learning rate (eps, which multiplies the
/// right-hand side of eq. 2 to give the increment of W).</summary>
public sealed record KrotovStep(double LearningRate) : IStepValues;

namespace Hebb.Contracts;

/// <summary>Krotov &amp; Hopfield's schedule (appendix B): the learning rate falls linearly from eps0 at the first epoch to
/// 0, by epoch: eps = eps0 (1 - epoch / epochs), the same for every step of an epoch.</summary>
public sealed record LinearDecay(double InitialRate) : ISchedule<KrotovStep>
{
    public KrotovStep At(TrainingTime time) => new(InitialRate * (1.0 - (double)time.Epoch / time.Epochs));
}

namespace Hebb.Evaluation;

/// <summary>One evaluation point of a probe's training: the mean loss of the minibatches since the last point, and
/// the accuracy on the training sample (<see cref="ProbeTrainer.TrainingSample"/>), the validation set (if any) and
/// the test set, measured with the probe as it stands. The test accuracy is null where the caller did not score the
/// test set, at a point the pocket rule cannot choose (few-shot: <see cref="FewShot.Run"/>).</summary>
public sealed record ProbePoint(int Step, double Epoch, double TrainLoss, double TrainAccuracy, double? ValidationAccuracy, double? TestAccuracy);

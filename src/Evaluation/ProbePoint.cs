namespace Hebb.Evaluation;

/// <summary>One evaluation point of a probe's training: the mean loss of the minibatches since the last point, and
/// the accuracy on the training sample (<see cref="ProbeTrainer.TrainingSample"/>), the validation set (if any) and
/// the test set, measured with the probe as it stands. The test accuracy is null at a point where the trainer was
/// asked for it only where the pocket rule could choose the point (few-shot) and the validation accuracy did not rise.</summary>
public sealed record ProbePoint(int Step, double Epoch, double TrainLoss, double TrainAccuracy, double? ValidationAccuracy, double? TestAccuracy);

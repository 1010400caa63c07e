namespace Hebb.Contracts;

/// <summary>A probe classifier whose parameters and Adam state live in its engine.</summary>
public interface IClassifier : IDisposable
{
    ProbeOptions Options { get; }

    /// <summary>
    /// One training step: forward in training mode (batch statistics, dropout with the caller's masks: one
    /// B x Hidden[l] matrix of 0s and 1s per hidden layer), backward, Adam, running statistics.
    /// Returns the batch's mean cross-entropy before the step.
    /// </summary>
    double Step(Matrix x, ReadOnlySpan<int> labels, IReadOnlyList<Matrix> dropoutMasks, double learningRate);

    /// <summary>The training-mode loss and the gradient of every parameter, without changing any state.</summary>
    (double Loss, ClassifierParameters Gradients) Gradients(Matrix x, ReadOnlySpan<int> labels, IReadOnlyList<Matrix> dropoutMasks);

    /// <summary>Inference: running statistics in batch norm, no dropout. B x Classes logits.</summary>
    Matrix Logits(Matrix x);

    ClassifierParameters Read();
}

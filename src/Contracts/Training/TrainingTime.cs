namespace Hebb.Contracts;

/// <summary>Where training stands when a step's values are asked for: epoch <see cref="Epoch"/> (0-based) of
/// <see cref="Epochs"/>, step <see cref="Step"/> (0-based, within the epoch) of <see cref="StepsPerEpoch"/>.</summary>
public readonly record struct TrainingTime(int Epoch, int Epochs, long Step, long StepsPerEpoch)
{
    /// <summary>The share of training done before this step, in [0, 1).</summary>
    public double Progress => StepsPerEpoch <= 0 ? (double)Epoch / Epochs : (Epoch + (double)Step / StepsPerEpoch) / Epochs;
}

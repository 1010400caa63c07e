namespace Hebb.Contracts;

/// <summary>
/// A classifier that probes a representation (Stuhr &amp; Brauer, CSNN, section IV-B): fully connected layers,
/// with linear (no bias) -> batch norm -> ELU -> dropout for each hidden layer, then a linear output layer, softmax
/// and cross-entropy, trained by Adam. No hidden layer is the linear probe; <see cref="Mlp"/> is CSNN's
/// nonlinear probe (512-256-classes, dropout 0.5 and 0.3).
/// </summary>
public sealed record ProbeOptions
{
    public int Inputs { get; init; }
    public int Classes { get; init; } = 10;
    public int[] Hidden { get; init; } = [];
    /// <summary>Dropout rate after each hidden layer (same length as <see cref="Hidden"/>).</summary>
    public double[] Dropout { get; init; } = [];
    public double BatchNormEpsilon { get; init; } = 1e-3;
    /// <summary>Running statistics: run = momentum * run + (1 - momentum) * batch (Keras's default 0.99).</summary>
    public double BatchNormMomentum { get; init; } = 0.99;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    /// <summary>Adam's epsilon; 1e-7 as in Keras, whose "standard parameters" CSNN used.</summary>
    public double Epsilon { get; init; } = 1e-7;

    public static ProbeOptions Linear(int inputs, int classes = 10) => new() { Inputs = inputs, Classes = classes };
    public static ProbeOptions Mlp(int inputs, int classes = 10) => new() { Inputs = inputs, Classes = classes, Hidden = [512, 256], Dropout = [0.5, 0.3] };

    /// <summary>Number of fully connected layers (hidden + output).</summary>
    public int Layers => Hidden.Length + 1;
    public int InputsOf(int layer) => layer == 0 ? Inputs : Hidden[layer - 1];
    public int OutputsOf(int layer) => layer == Hidden.Length ? Classes : Hidden[layer];

    public ProbeOptions Validate()
    {
        if (Inputs < 1) throw new ArgumentOutOfRangeException(nameof(Inputs), Inputs, "Inputs must be >= 1");
        if (Classes < 2) throw new ArgumentOutOfRangeException(nameof(Classes), Classes, "Classes must be >= 2");
        for (int i = 0; i < Hidden.Length; i++)
            if (Hidden[i] < 1) throw new ArgumentOutOfRangeException(nameof(Hidden), Hidden[i], $"Hidden[{i}] must be >= 1");
        if (Dropout.Length != Hidden.Length)
            throw new ArgumentException($"Dropout has {Dropout.Length} rates; one per hidden layer ({Hidden.Length}) is required", nameof(Dropout));
        for (int i = 0; i < Dropout.Length; i++)
            if (!(Dropout[i] >= 0 && Dropout[i] < 1)) throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout[i], $"Dropout[{i}] must be in [0, 1)");
        if (!(BatchNormEpsilon > 0)) throw new ArgumentOutOfRangeException(nameof(BatchNormEpsilon), BatchNormEpsilon, "BatchNormEpsilon must be > 0");
        if (!(BatchNormMomentum >= 0 && BatchNormMomentum <= 1)) throw new ArgumentOutOfRangeException(nameof(BatchNormMomentum), BatchNormMomentum, "BatchNormMomentum must be in [0, 1]");
        if (!(Beta1 >= 0 && Beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta1), Beta1, "Beta1 must be in [0, 1)");
        if (!(Beta2 >= 0 && Beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta2), Beta2, "Beta2 must be in [0, 1)");
        if (!(Epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, "Epsilon must be > 0");
        return this;
    }
}

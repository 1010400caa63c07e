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

/// <summary>
/// A classifier's parameters: per layer W (outputs x inputs); the output layer's bias (1 x classes); per
/// hidden layer the batch norm's gamma and beta (1 x width) and running mean and variance (1 x width).
/// Hidden layers have no bias: batch norm's beta is their shift (a bias before batch norm has a zero
/// gradient, which Adam would turn into steps of roundoff). Gradients use the same type (their running
/// mean / variance hold the batch's statistics).
/// </summary>
public sealed record ClassifierParameters(Matrix[] Weights, Matrix Bias, Matrix[] Gammas, Matrix[] Betas, Matrix[] RunningMeans, Matrix[] RunningVars)
{
    /// <summary>Every tensor with a name, for comparisons and files.</summary>
    public IEnumerable<(string Name, Matrix Value)> Named()
    {
        for (int l = 0; l < Weights.Length; l++) yield return ($"W{l}", Weights[l]);
        yield return ("bias", Bias);
        for (int l = 0; l < Gammas.Length; l++)
        {
            yield return ($"gamma{l}", Gammas[l]); yield return ($"beta{l}", Betas[l]);
            yield return ($"mean{l}", RunningMeans[l]); yield return ($"var{l}", RunningVars[l]);
        }
    }

    public ClassifierParameters Copy() => new(
        [.. Weights.Select(m => m.Clone())], Bias.Clone(), [.. Gammas.Select(m => m.Clone())],
        [.. Betas.Select(m => m.Clone())], [.. RunningMeans.Select(m => m.Clone())], [.. RunningVars.Select(m => m.Clone())]);

    /// <summary>Refuses parameters whose shapes do not fit <paramref name="o"/>, or that hold NaN or infinity.</summary>
    public void Check(ProbeOptions o, string name)
    {
        if (Weights.Length != o.Layers)
            throw new ArgumentException($"{name} has {Weights.Length} weight tensors; the probe has {o.Layers} layers", name);
        Contracts.Check.Shape(Bias, 1, o.Classes, $"{name}.Bias");
        int h = o.Hidden.Length;
        if (Gammas.Length != h || Betas.Length != h || RunningMeans.Length != h || RunningVars.Length != h)
            throw new ArgumentException($"{name} needs {h} gamma, beta, running mean and running variance tensors", name);
        for (int l = 0; l < o.Layers; l++)
        {
            Contracts.Check.Shape(Weights[l], o.OutputsOf(l), o.InputsOf(l), $"{name}.Weights[{l}]");
        }
        for (int l = 0; l < h; l++)
            foreach (var (m, what) in new[] { (Gammas[l], "Gammas"), (Betas[l], "Betas"), (RunningMeans[l], "RunningMeans"), (RunningVars[l], "RunningVars") })
                Contracts.Check.Shape(m, 1, o.Hidden[l], $"{name}.{what}[{l}]");
        foreach (var (n, m) in Named()) Contracts.Check.Finite(m, $"{name}.{n}");
    }
}

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

/// <summary>The probes' layers one by one, forward and backward, for the equivalence tests.</summary>
public interface ILayerOps
{
    /// <summary>y = x W^T + bias; x is B x in, W out x in, bias 1 x out.</summary>
    Matrix Linear(Matrix x, Matrix w, Matrix bias);
    (Matrix Dx, Matrix Dw, Matrix Dbias) LinearBackward(Matrix x, Matrix w, Matrix dy);
    /// <summary>Batch norm in training mode (the batch's mean and biased variance).</summary>
    Matrix BatchNorm(Matrix x, Matrix gamma, Matrix beta, double epsilon);
    (Matrix Dx, Matrix Dgamma, Matrix Dbeta) BatchNormBackward(Matrix x, Matrix gamma, Matrix dy, double epsilon);
    /// <summary>y = x * mask / (1 - rate); also its own backward pass.</summary>
    Matrix Dropout(Matrix x, Matrix mask, double rate);
    Matrix Elu(Matrix x);
    Matrix EluBackward(Matrix x, Matrix dy);
    /// <summary>Mean softmax cross-entropy over the batch and its gradient with respect to the logits.</summary>
    (double Loss, Matrix Dz) SoftmaxCrossEntropy(Matrix z, ReadOnlySpan<int> labels);
}

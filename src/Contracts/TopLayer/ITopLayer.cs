namespace Hebb.Contracts;

/// <summary>The supervised top layer S (Classes x Hidden), trained by Adam on sum |tanh(S h) - t|^m with t in {-1, +1}.</summary>
public interface ITopLayer : IDisposable
{
    TopLayerOptions Options { get; }

    /// <summary>c = tanh(S h) for each row of <paramref name="hidden"/> (B x Hidden), B x Classes.</summary>
    Matrix Forward(Matrix hidden);

    /// <summary>C = sum over the batch and classes of |c - t|^m.</summary>
    double Loss(Matrix hidden, ReadOnlySpan<int> labels);

    /// <summary>dC/dS, Classes x Hidden.</summary>
    Matrix Gradient(Matrix hidden, ReadOnlySpan<int> labels);

    /// <summary>One Adam step on the batch's loss; returns the loss before the step.</summary>
    double Step(Matrix hidden, ReadOnlySpan<int> labels, double learningRate);

    Matrix ReadWeights();
}

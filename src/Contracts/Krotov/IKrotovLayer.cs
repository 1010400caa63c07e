namespace Hebb.Contracts;

/// <summary>
/// A Krotov–Hopfield hidden layer: weights W (K x N) learned by the fast rule of section 3.
/// Created by an engine from options and explicit initial weights; its state lives in the engine.
/// </summary>
public interface IKrotovLayer : ILearner<KrotovStep>
{
    KrotovOptions Options { get; }

    /// <summary>
    /// One step of the fast minibatch rule on <paramref name="batch"/> (B x N, one sample a row)
    /// with learning rate <paramref name="learningRate"/> (the caller owns the schedule).
    /// Ranking ties go to the lowest unit index.
    /// </summary>
    void Step(Matrix batch, double learningRate);

    /// <summary>The currents I[b, mu] = &lt;W_mu, v_b&gt; = sum_i sign(W)|W|^(p-1) v (eq. 2's metric inner product), B x K.</summary>
    Matrix Currents(Matrix batch);

    /// <summary>The encoder of eq. 1: h[b, mu] = ReLU(W_mu . v_b)^n, B x K.</summary>
    Matrix Encode(Matrix batch, double n);

    /// <summary>A host copy of W (K x N).</summary>
    Matrix ReadWeights();

    /// <summary>One step at the schedule's learning rate: <see cref="Step(Matrix, double)"/>.</summary>
    void ILearner<KrotovStep>.Step(Matrix batch, KrotovStep values) => Step(batch, values.LearningRate);

    /// <summary>The state: "weights", W (K x N).</summary>
    RuleState ILearner<KrotovStep>.ReadState() => new() { { "weights", Tensor.Of(ReadWeights()) } };
}

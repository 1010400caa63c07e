namespace Hebb.Contracts;

/// <summary>Which reading of Krotov &amp; Hopfield's fast minibatch rule (section 3) to run.</summary>
public enum KrotovVariant
{
    /// <summary>
    /// As the paper states it: eq. 2 with g = 1 for the top-ranked unit and g = -Delta for the
    /// k-th ranked, averaged over the minibatch: dW = lr * (1/B) * sum_b g (R^p v - I W).
    /// </summary>
    Paper,
    /// <summary>
    /// As the authors' published notebook does it: the same g, summed (not averaged) over the
    /// minibatch, and the whole update matrix divided by its largest absolute element (floored at
    /// <see cref="KrotovOptions.Precision"/>) before the learning rate is applied.
    /// </summary>
    AuthorsCode,
}

/// <summary>
/// Options of a Krotov–Hopfield layer (PNAS 2019): K hidden units competing for N inputs.
/// Defaults are the MNIST settings listed in DESIGN.md (2000 units, p = 3, k = 7, Delta = 0.4).
/// </summary>
public sealed record KrotovOptions
{
    /// <summary>K, the number of hidden units (rows of W).</summary>
    public int Units { get; init; } = 2000;
    /// <summary>N, the number of visible inputs (columns of W).</summary>
    public int Inputs { get; init; } = 784;
    /// <summary>p, the Lebesgue norm of the sphere the weights converge to (eq. 2).</summary>
    public double P { get; init; } = 3.0;
    /// <summary>k, the rank of the unit pushed away with g = -Delta (section 3). k = 2 is the runner-up. With fewer
    /// units than k no unit is pushed away (the engines agree on it; <c>hebb train</c> refuses it as a likely slip).</summary>
    public int RankK { get; init; } = 7;
    /// <summary>Delta, the strength of the anti-Hebbian term.</summary>
    public double Delta { get; init; } = 0.4;
    /// <summary>R, the radius of the sphere (eq. 2); the paper sets R = 1.</summary>
    public double R { get; init; } = 1.0;
    public KrotovVariant Variant { get; init; } = KrotovVariant.AuthorsCode;
    /// <summary>Floor of the update's largest absolute element in <see cref="KrotovVariant.AuthorsCode"/> (the notebook's prec).</summary>
    public double Precision { get; init; } = 1e-30;

    /// <summary>Refuses options outside the rule's domain, naming the option, its value and what is allowed.</summary>
    public KrotovOptions Validate()
    {
        if (Units < 1) throw new ArgumentOutOfRangeException(nameof(Units), Units, "Units (hidden units K) must be >= 1");
        if (Inputs < 1) throw new ArgumentOutOfRangeException(nameof(Inputs), Inputs, "Inputs (N) must be >= 1");
        if (!(P >= 1.0) || double.IsInfinity(P)) throw new ArgumentOutOfRangeException(nameof(P), P, "P (the Lebesgue norm p) must be a finite number >= 1");
        if (RankK < 2) throw new ArgumentOutOfRangeException(nameof(RankK), RankK, "RankK (k, the rank pushed away) must be >= 2; k = 1 is the winner itself");
        if (!(Delta >= 0.0) || double.IsInfinity(Delta)) throw new ArgumentOutOfRangeException(nameof(Delta), Delta, "Delta must be a finite number >= 0");
        if (!(R > 0.0) || double.IsInfinity(R)) throw new ArgumentOutOfRangeException(nameof(R), R, "R (the sphere's radius) must be a finite number > 0");
        if (!(Precision > 0.0)) throw new ArgumentOutOfRangeException(nameof(Precision), Precision, "Precision must be > 0");
        if (!Enum.IsDefined(Variant)) throw new ArgumentOutOfRangeException(nameof(Variant), Variant, "Variant must be Paper or AuthorsCode");
        return this;
    }
}

/// <summary>
/// A Krotov–Hopfield hidden layer: weights W (K x N) learned by the fast rule of section 3.
/// Created by an engine from options and explicit initial weights; its state lives in the engine.
/// </summary>
public interface IKrotovLayer : IDisposable
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
}

/// <summary>Options of the supervised top layer (eq. 1, appendix B): c = tanh(S h), loss sum |c - t|^m, Adam.</summary>
public sealed record TopLayerOptions
{
    /// <summary>Number of hidden features h (columns of S).</summary>
    public int Hidden { get; init; } = 2000;
    public int Classes { get; init; } = 10;
    /// <summary>m, the power of the loss sum |c - t|^m.</summary>
    public double M { get; init; } = 6.0;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double Epsilon { get; init; } = 1e-8;

    public TopLayerOptions Validate()
    {
        if (Hidden < 1) throw new ArgumentOutOfRangeException(nameof(Hidden), Hidden, "Hidden must be >= 1");
        if (Classes < 2) throw new ArgumentOutOfRangeException(nameof(Classes), Classes, "Classes must be >= 2");
        if (!(M >= 2.0) || double.IsInfinity(M)) throw new ArgumentOutOfRangeException(nameof(M), M, "M (the loss power m) must be a finite number >= 2");
        if (!(Beta1 >= 0 && Beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta1), Beta1, "Beta1 must be in [0, 1)");
        if (!(Beta2 >= 0 && Beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta2), Beta2, "Beta2 must be in [0, 1)");
        if (!(Epsilon > 0) || double.IsInfinity(Epsilon)) throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, "Epsilon must be a finite number > 0");
        return this;
    }
}

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

/// <summary>An engine: makes layers whose state it keeps.</summary>
public interface IEngine
{
    /// <summary>For example "reference" or "accelerated/cpu (OpenBLAS)".</summary>
    string Name { get; }
    IKrotovLayer CreateKrotov(KrotovOptions options, Matrix initialWeights);
    ITopLayer CreateTopLayer(TopLayerOptions options, Matrix initialWeights);
    IClassifier CreateClassifier(ProbeOptions options, ClassifierParameters initial);
    ILayerOps Layers { get; }
    IConvLayer CreateConv(ConvOptions options, Matrix filters);
}

namespace Hebb.Contracts;

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

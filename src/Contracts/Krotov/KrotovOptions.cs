namespace Hebb.Contracts;

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

using System.Globalization;

namespace Hebb.Evaluation;

/// <summary>
/// CSNN's "Aug" (Stuhr &amp; Brauer, section IV-C: "rotations, shifts and horizontal flip"; the amounts are the authors'
/// code's, docs/CSNN.md): a rotation drawn uniformly in ±<see cref="MaxDegrees"/>, a shift drawn uniformly in
/// ±<see cref="MaxShift"/> along each axis, and a horizontal flip with probability 1/2 where <see cref="Flip"/>.
/// <see cref="MaxShift"/> below 1 is a fraction of the image's side, 1 or more a number of pixels (Keras'
/// <c>width_shift_range</c> convention; the authors' 0.1 is ±3.2 px on CIFAR-10).
/// </summary>
public sealed record AugmentOptions
{
    public double MaxDegrees { get; init; } = 15;
    public double MaxShift { get; init; } = 0.1;
    public AugmentFill Fill { get; init; } = AugmentFill.Nearest;
    public bool Flip { get; init; }

    /// <summary>What hebb drew before 2026-12-04 (±2 px, zero outside): the copies kept by earlier runs.</summary>
    public static AugmentOptions Earlier(bool flip) => new() { MaxShift = 2, Fill = AugmentFill.Zero, Flip = flip };

    /// <summary>The largest shift in pixels along an axis of <paramref name="side"/> pixels.</summary>
    public double ShiftPixels(int side) => MaxShift < 1 ? MaxShift * side : MaxShift;

    public AugmentOptions Validate()
    {
        if (!(MaxDegrees >= 0 && MaxDegrees <= 180))
            throw new ArgumentOutOfRangeException(nameof(MaxDegrees), MaxDegrees, "the largest rotation must be 0 to 180 degrees");
        if (!(MaxShift >= 0 && double.IsFinite(MaxShift)))
            throw new ArgumentOutOfRangeException(nameof(MaxShift), MaxShift, "the largest shift must be finite and at least 0 (below 1: a fraction of the side; else pixels)");
        return this;
    }

    /// <summary>The augmentation as drawn on <paramref name="height"/> x <paramref name="width"/> images, shifts in
    /// pixels: two options that draw the same copies describe alike (0.1 and 3.2 on 32 x 32).</summary>
    public string Describe(int height, int width)
    {
        string Px(int side) => ShiftPixels(side).ToString("0.###", CultureInfo.InvariantCulture);
        string shift = height == width ? $"{Px(width)} px" : $"{Px(width)} x {Px(height)} px";
        return $"rotation <= {MaxDegrees.ToString("0.###", CultureInfo.InvariantCulture)} deg, shift <= {shift}, fill {Fill.ToString().ToLowerInvariant()}, {(Flip ? "horizontal flip" : "no flip")}";
    }
}

namespace Hebb.Runs;

/// <summary>The probes hold every feature of every training image (and augmented copy) in one float32 array.</summary>
public static class FeatureArray
{
    /// <summary>Refuses, before any encoding, a representation whose training features would not fit in one array
    /// (.NET's <see cref="Array.MaxLength"/>), saying what to shrink.</summary>
    public static void CheckFits(int images, int augment, int features)
    {
        long cells = (long)images * (1 + augment) * features;
        if (cells > Array.MaxLength)
            throw new UsageException($"{images:N0} training images{(augment > 0 ? $" x {1 + augment} (--augment {augment})" : "")} x {features:N0} features " +
                                     $"= {cells:N0} values, more than one array holds ({Array.MaxLength:N0}); fewer features (a larger --pool-stride, " +
                                     "less --padding, fewer or smaller --blocks) or fewer images (--limit-train) fit");
    }
}

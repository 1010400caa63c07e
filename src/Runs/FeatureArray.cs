namespace Hebb.Runs;

/// <summary>The probes hold the features of each set of images (the training images, each augmented copy of them, the
/// test images) in one float32 array as the encoder writes them.</summary>
public static class FeatureArray
{
    /// <summary>Refuses, before any encoding, a representation whose features of one set of images would not fit in one
    /// array (.NET's <see cref="Array.MaxLength"/>), saying what to shrink.</summary>
    public static void CheckFits(int images, int features)
    {
        long cells = (long)images * features;
        if (cells > Array.MaxLength)
            throw new UsageException($"{images:N0} images x {features:N0} features = {cells:N0} values, more than one array holds ({Array.MaxLength:N0}); " +
                                     "fewer features (a larger --pool-stride, less --padding, fewer or smaller --blocks) or fewer images (--limit-train) fit");
    }
}

namespace Hebb.Evaluation;

/// <summary>What an augmented image shows where its rotated, shifted sample point falls outside the source image.</summary>
public enum AugmentFill
{
    /// <summary>The nearest edge pixel (Keras' <c>ImageDataGenerator</c> default, <c>fill_mode='nearest'</c>).</summary>
    Nearest,
    /// <summary>0.</summary>
    Zero,
}

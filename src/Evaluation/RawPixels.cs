using Hebb.Contracts;

namespace Hebb.Evaluation;

/// <summary>The raw-pixel baseline: the images themselves.</summary>
public sealed class RawPixels(int features) : IEncoder
{
    public string Name => "raw pixels";
    public int Features => features;
    public Matrix Encode(Matrix images) => images.Clone();
}

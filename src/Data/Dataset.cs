using Hebb.Contracts;

namespace Hebb.Data;

/// <summary>Images as rows of pixel / 255 (channel-major for colour), with their labels.</summary>
public sealed record Dataset(string Name, Matrix Images, int[] Labels, int Height, int Width, int Channels)
{
    public int Count => Labels.Length;
    public int Classes => 10;
}

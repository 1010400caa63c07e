namespace Hebb.Accelerated.Backends.Device;

/// <summary>A kernel argument: a buffer, an int or a float.</summary>
public readonly record struct Arg(DeviceBuffer? Buffer, int Int, float Float, char Kind)
{
    public static implicit operator Arg(DeviceBuffer b) => new(b, 0, 0, 'b');
    public static implicit operator Arg(int i) => new(null, i, 0, 'i');
    public static implicit operator Arg(float f) => new(null, 0, f, 'f');
}

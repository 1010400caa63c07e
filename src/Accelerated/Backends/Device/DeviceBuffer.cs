namespace Hebb.Accelerated.Backends.Device;

/// <summary>A buffer in a device's memory; its length is in 4-byte elements (float or int).</summary>
public abstract class DeviceBuffer(int length) : IDisposable
{
    public int Length { get; } = length;
    public abstract void Dispose();
}

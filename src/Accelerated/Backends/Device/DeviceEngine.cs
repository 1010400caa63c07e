using Hebb.Contracts;

namespace Hebb.Accelerated.Backends.Device;

/// <summary>The engine on a GPU backend (opencl or cuda): every layer runs on the device. Its rules are the classes
/// marked <c>[Implements(typeof(DeviceEngine))]</c> under Rules/.</summary>
public sealed class DeviceEngine(IDevice device, string backend) : EngineBase, IDisposable
{
    public IDevice Device { get; } = device;
    public override string Name => $"accelerated/{backend} ({Device.Name})";
    public void Dispose() => Device.Dispose();
}

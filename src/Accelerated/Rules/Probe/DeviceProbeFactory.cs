using Hebb.Accelerated.Backends.Device;
using Hebb.Contracts;

namespace Hebb.Accelerated.Rules.Probe;

/// <summary>The probes on the opencl and cuda backends: <see cref="DeviceClassifier"/> and <see cref="DeviceProbeLayers"/>.</summary>
[Implements(typeof(DeviceEngine))]
public sealed class DeviceProbeFactory(DeviceEngine engine) : IClassifierFactory, IProbeLayersFactory
{
    public IClassifier Create(ProbeOptions options, ClassifierParameters initial) => new DeviceClassifier(engine.Device, options, initial);
    public IProbeLayers Create() => new DeviceProbeLayers(engine.Device);
}

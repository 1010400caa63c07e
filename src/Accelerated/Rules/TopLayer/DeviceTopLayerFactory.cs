using Hebb.Accelerated.Backends.Device;
using Hebb.Contracts;

namespace Hebb.Accelerated.Rules.TopLayer;

/// <summary>Krotov &amp; Hopfield's top layer on the opencl and cuda backends: <see cref="DeviceTopLayer"/>.</summary>
[Implements(typeof(DeviceEngine))]
public sealed class DeviceTopLayerFactory(DeviceEngine engine) : ITopLayerFactory
{
    public ITopLayer Create(TopLayerOptions options, Matrix initialWeights) => new DeviceTopLayer(engine.Device, options, initialWeights);
}

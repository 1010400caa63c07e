using Hebb.Accelerated.Backends.Device;
using Hebb.Contracts;

namespace Hebb.Accelerated.Rules.Krotov;

/// <summary>Krotov &amp; Hopfield's rule on the opencl and cuda backends: <see cref="DeviceKrotovLayer"/>.</summary>
[Implements(typeof(DeviceEngine))]
public sealed class DeviceKrotovFactory(DeviceEngine engine) : IKrotovFactory
{
    public IKrotovLayer Create(KrotovOptions options, Matrix initialWeights) => new DeviceKrotovLayer(engine.Device, options, initialWeights);
}

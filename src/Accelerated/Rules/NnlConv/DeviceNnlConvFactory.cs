using Hebb.Accelerated.Backends.Device;
using Hebb.Contracts;

namespace Hebb.Accelerated.Rules.NnlConv;

/// <summary>The NNL-CONV layer on the opencl and cuda backends: <see cref="DeviceNnlConvLayer"/>.</summary>
[Implements(typeof(DeviceEngine))]
public sealed class DeviceNnlConvFactory(DeviceEngine engine) : INnlConvFactory
{
    public INnlConvLayer Create(NnlConvOptions options, Matrix filters) => new DeviceNnlConvLayer(engine.Device, options, filters);
}

using Hebb.Accelerated.Backends.Device;
using Hebb.Contracts;

namespace Hebb.Accelerated.Rules.Csnn;

/// <summary>CSNN's sconv layer on the opencl and cuda backends: <see cref="DeviceCsnnLayer"/>.</summary>
[Implements(typeof(DeviceEngine))]
public sealed class DeviceCsnnFactory(DeviceEngine engine) : ICsnnFactory
{
    public ICsnnLayer Create(CsnnOptions options, IReadOnlyList<Matrix> weights, IReadOnlyList<Matrix> masks) =>
        new DeviceCsnnLayer(engine.Device, options, weights, masks);
}

using Hebb.Accelerated.Backends.Cpu;
using Hebb.Contracts;

namespace Hebb.Accelerated.Rules.NnlConv;

/// <summary>The NNL-CONV layer on the cpu backend: <see cref="CpuNnlConvLayer"/>.</summary>
[Implements(typeof(CpuEngine))]
public sealed class CpuNnlConvFactory(CpuEngine engine) : INnlConvFactory
{
    public INnlConvLayer Create(NnlConvOptions options, Matrix filters) => new CpuNnlConvLayer(engine.Gemm, options, filters);
}

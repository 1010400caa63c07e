using Hebb.Accelerated.Backends.Cpu;
using Hebb.Contracts;

namespace Hebb.Accelerated.Rules.TopLayer;

/// <summary>Krotov &amp; Hopfield's top layer on the cpu backend: <see cref="CpuTopLayer"/>.</summary>
[Implements(typeof(CpuEngine))]
public sealed class CpuTopLayerFactory(CpuEngine engine) : ITopLayerFactory
{
    public ITopLayer Create(TopLayerOptions options, Matrix initialWeights) => new CpuTopLayer(engine.Gemm, options, initialWeights);
}

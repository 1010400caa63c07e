using Hebb.Accelerated.Backends.Cpu;
using Hebb.Contracts;

namespace Hebb.Accelerated.Rules.Krotov;

/// <summary>Krotov &amp; Hopfield's rule on the cpu backend: <see cref="CpuKrotovLayer"/>.</summary>
[Implements(typeof(CpuEngine))]
public sealed class CpuKrotovFactory(CpuEngine engine) : IKrotovFactory
{
    public IKrotovLayer Create(KrotovOptions options, Matrix initialWeights) => new CpuKrotovLayer(engine.Gemm, options, initialWeights);
}

using Hebb.Accelerated.Backends.Cpu;
using Hebb.Contracts;

namespace Hebb.Accelerated.Rules.Csnn;

/// <summary>CSNN's sconv layer on the cpu backend: <see cref="CpuCsnnLayer"/>.</summary>
[Implements(typeof(CpuEngine))]
public sealed class CpuCsnnFactory(CpuEngine engine) : ICsnnFactory
{
    public ICsnnLayer Create(CsnnOptions options, IReadOnlyList<Matrix> weights, IReadOnlyList<Matrix> masks) =>
        new CpuCsnnLayer(engine.Gemm, options, weights, masks);
}

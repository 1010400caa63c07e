using Hebb.Accelerated.Backends.Cpu;
using Hebb.Contracts;

namespace Hebb.Accelerated.Rules.Probe;

/// <summary>The probes on the cpu backend: <see cref="CpuClassifier"/> and <see cref="CpuProbeLayers"/>.</summary>
[Implements(typeof(CpuEngine))]
public sealed class CpuProbeFactory(CpuEngine engine) : IClassifierFactory, IProbeLayersFactory
{
    public IClassifier Create(ProbeOptions options, ClassifierParameters initial) => new CpuClassifier(engine.Gemm, options, initial);
    public IProbeLayers Create() => new CpuProbeLayers(engine.Gemm);
}

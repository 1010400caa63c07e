using Hebb.Contracts;

namespace Hebb.Accelerated.Backends.Cpu;

/// <summary>The float32 engine on the CPU: GEMMs through <see cref="IGemm"/>, the rest SIMD. Its rules are the classes
/// marked <c>[Implements(typeof(CpuEngine))]</c> under Rules/.</summary>
public sealed class CpuEngine(IGemm gemm) : EngineBase
{
    public IGemm Gemm { get; } = gemm;
    public override string Name => $"accelerated/cpu ({Gemm.Name})";
}

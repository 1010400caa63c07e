using System.Runtime.Intrinsics.Arm;
using X86 = System.Runtime.Intrinsics.X86;

namespace Hebb.Accelerated.Backends.Cpu;

/// <summary>Whether the processor fuses a multiply-add in one rounding (a constant to the JIT).</summary>
static class FusedHardware
{
    public static bool Present => X86.Fma.IsSupported || AdvSimd.Arm64.IsSupported;
}

using System.Runtime.CompilerServices;

namespace Hebb.Accelerated.Backends.Cpu;

/// <summary>One float as a vector of one, where the JIT accelerates no vectors.</summary>
readonly unsafe struct S1(float v) : ISimd<S1>
{
    readonly float _v = v;
    public static int Width => 1;
    public static int Group => 2;
    public static string Name => "scalar";
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static S1 Load(float* p) => new(*p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static S1 Splat(float x) => new(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static S1 Fma(S1 a, S1 b, S1 c) =>
        new(FusedHardware.Present ? MathF.FusedMultiplyAdd(a._v, b._v, c._v) : a._v * b._v + c._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(float* p) => *p = _v;
}

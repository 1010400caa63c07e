using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Hebb.Accelerated.Backends.Cpu;

readonly unsafe struct V256(Vector256<float> v) : ISimd<V256>
{
    readonly Vector256<float> _v = v;
    public static int Width => Vector256<float>.Count;
    public static int Group => 2;
    public static string Name => "Vector256";
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Load(float* p) => new(Vector256.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Splat(float x) => new(Vector256.Create(x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Fma(V256 a, V256 b, V256 c) =>
        new(FusedHardware.Present ? Vector256.FusedMultiplyAdd(a._v, b._v, c._v) : a._v * b._v + c._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(float* p) => _v.Store(p);
}

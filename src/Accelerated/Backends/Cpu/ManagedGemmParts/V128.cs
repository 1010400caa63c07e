using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Hebb.Accelerated.Backends.Cpu;

readonly unsafe struct V128(Vector128<float> v) : ISimd<V128>
{
    readonly Vector128<float> _v = v;
    public static int Width => Vector128<float>.Count;
    public static int Group => 2;
    public static string Name => "Vector128";
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Load(float* p) => new(Vector128.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Splat(float x) => new(Vector128.Create(x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Fma(V128 a, V128 b, V128 c) =>
        new(FusedHardware.Present ? Vector128.FusedMultiplyAdd(a._v, b._v, c._v) : a._v * b._v + c._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(float* p) => _v.Store(p);
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Hebb.Accelerated.Backends.Cpu;

readonly unsafe struct V512(Vector512<float> v) : ISimd<V512>
{
    readonly Vector512<float> _v = v;
    public static int Width => Vector512<float>.Count;
    public static int Group => 4;
    public static string Name => "Vector512";
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Load(float* p) => new(Vector512.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Splat(float x) => new(Vector512.Create(x));
    // AVX-512 implies FMA3: Vector512 is always fused.
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Fma(V512 a, V512 b, V512 c) => new(Vector512.FusedMultiplyAdd(a._v, b._v, c._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(float* p) => _v.Store(p);
}

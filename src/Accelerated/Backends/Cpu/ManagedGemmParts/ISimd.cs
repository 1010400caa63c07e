namespace Hebb.Accelerated.Backends.Cpu;

/// <summary>The vector operations a tile needs, for each width (a struct per width, so that the JIT compiles the
/// tiles once per width with the operations inlined).</summary>
unsafe interface ISimd<TV> where TV : struct, ISimd<TV>
{
    static abstract int Width { get; }
    /// <summary>How many vectors wide a tile may be (its 6 x Group accumulators, Group loads and a broadcast must
    /// fit the registers).</summary>
    static abstract int Group { get; }
    static abstract string Name { get; }
    static abstract TV Load(float* p);
    static abstract TV Splat(float x);
    static abstract TV Fma(TV a, TV b, TV c);
    void Store(float* p);
}

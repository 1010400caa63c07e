using System.Runtime.CompilerServices;

namespace Hebb.Accelerated.Backends.Cpu;

/// <summary>The blocked product at one vector width.</summary>
static unsafe class Blocked<TV> where TV : struct, ISimd<TV>
{
    /// <summary>Rows of a tile.</summary>
    const int Rows = 6;
    /// <summary>The most of k summed per packing of op(B): a panel of KC rows stays in the core's cache while every
    /// row tile passes over it.</summary>
    const int KC = 256;

    static int Wide => TV.Group * TV.Width;

    public static string Description => $"{TV.Name}, {Rows} x {Wide} register tiles";

    /// <summary>The most floats of op(B) packed at a time (256 KB): a block of columns small enough to stay in a
    /// core's L2 while every row tile passes over it.</summary>
    const int BlockFloats = 64 * 1024;

    [ThreadStatic] static float[]? _panel, _sums;
    [ThreadStatic] static float[]? _rows, _edge;

    /// <summary>C = alpha op(A) op(B) + beta C. Loops, outermost first: blocks of columns (panels of op(B) that stay
    /// in L2), blocks of k (each packed once), row tiles, panels. Products of <see cref="ManagedGemm.ParallelMacs"/>
    /// or more split over the cores: their panels, each thread packing and running its own, where there are at least
    /// two panels a core; else their row tiles over each packed block.</summary>
    public static void Run(Product p)
    {
        int w = TV.Width, npad = (p.N + w - 1) / w * w;
        int kBlocks = (p.K + KC - 1) / KC, kc = (p.K + kBlocks - 1) / kBlocks;
        int panels = (npad + Wide - 1) / Wide, perBlock = Math.Max(1, BlockFloats / (kc * Wide));
        // With beta = 0 the sums go straight into C; otherwise into a buffer, C = alpha sums + beta C at the end.
        bool direct = p.Beta == 0f;
        float[]? sums = direct ? null : Grow(ref _sums, (long)p.M * p.N);
        int tiles = (p.M + Rows - 1) / Rows, cores = Environment.ProcessorCount;
        bool parallel = (long)p.M * p.N * p.K >= ManagedGemm.ParallelMacs && cores > 1;
        fixed (float* ps = sums)
        {
            var job = new Job(p, kc, npad, direct ? p.C : ps, direct ? p.Ldc : p.N);
            if (parallel && panels >= 2 * cores)
                Parallel.For(0, cores, t => job.Panels(panels * t / cores, panels * (t + 1) / cores, perBlock, false));
            else job.Panels(0, panels, perBlock, parallel && tiles > 1);
            if (!direct)
                for (int i = 0; i < p.M; i++)
                {
                    float* ci = p.C + (long)i * p.Ldc, si = ps + (long)i * p.N;
                    for (int j = 0; j < p.N; j++) ci[j] = p.Alpha * si[j] + p.Beta * ci[j];
                }
            else if (p.Alpha != 1f)
                for (int i = 0; i < p.M; i++)
                {
                    var row = new Span<float>(p.C + (long)i * p.Ldc, p.N);
                    System.Numerics.Tensors.TensorPrimitives.Multiply(row, p.Alpha, row);
                }
        }
    }

    /// <summary>Rows k0 .. k0 + kl of op(B), columns c0 .. c1 (c0 a multiple of Wide, c1 of the width), into panels of
    /// Wide columns (the last one narrower, to whole vectors; columns past n are zeros): the panel at column g0 at
    /// pp + (g0 - c0) * kl, row l of it at + l * width.</summary>
    static void Pack(Product p, int k0, int kl, int c0, int c1, float* pp)
    {
        for (int g0 = c0; g0 < c1; g0 += Wide)
        {
            int gw = Math.Min(Wide, c1 - g0), cols = Math.Min(gw, p.N - g0);   // >= 1: npad < n + width
            float* dst = pp + (long)(g0 - c0) * kl;
            if (!p.TransB)
                for (int l = 0; l < kl; l++)
                {
                    new ReadOnlySpan<float>(p.B + (long)(k0 + l) * p.Ldb + g0, cols).CopyTo(new Span<float>(dst + l * gw, cols));
                    new Span<float>(dst + l * gw + cols, gw - cols).Clear();
                }
            else
            {
                for (int j = 0; j < cols; j++)
                {
                    float* src = p.B + (long)(g0 + j) * p.Ldb + k0;
                    for (int l = 0; l < kl; l++) dst[l * gw + j] = src[l];
                }
                if (cols < gw)
                    for (int l = 0; l < kl; l++) new Span<float>(dst + l * gw + cols, gw - cols).Clear();
            }
        }
    }

    /// <summary>A product's shape and destination (the sums go to dst, rows ldd apart), shared by its threads.</summary>
    readonly struct Job(Product p, int kc, int npad, float* dst, int ldd)
    {
        readonly Product P = p;
        readonly int Kc = kc, Npad = npad, Ldd = ldd;
        readonly float* Dst = dst;

        /// <summary>Panels from .. to of every row tile, in blocks of perBlock panels: each block packed a block of k at
        /// a time (in order of k, so every element's chain runs from l = 0 up), on this thread's buffer; the row tiles
        /// of each split over the cores when rowsInParallel.</summary>
        public void Panels(int from, int to, int perBlock, bool rowsInParallel)
        {
            if (from >= to) return;
            int kc = Kc, tiles = (P.M + Rows - 1) / Rows;
            float[] panel = Grow(ref _panel, (long)kc * Math.Min(to - from, perBlock) * Wide);
            fixed (float* pp = panel)
                for (int b0 = from; b0 < to; b0 += perBlock)
                {
                    int c0 = b0 * Wide, c1 = Math.Min(Npad, Math.Min(to, b0 + perBlock) * Wide);
                    for (int k0 = 0; k0 < P.K; k0 += kc)
                    {
                        int kl = Math.Min(kc, P.K - k0);
                        Pack(P, k0, kl, c0, c1, pp);
                        var block = new Block(this, k0, kl, c0, c1, pp);
                        if (!rowsInParallel) block.Tiles(0, tiles);
                        else
                        {
                            int parts = Math.Min(tiles, Environment.ProcessorCount);
                            Parallel.For(0, parts, t => block.Tiles((int)((long)tiles * t / parts), (int)((long)tiles * (t + 1) / parts)));
                        }
                    }
                }
        }

        /// <summary>One packed block: columns c0 .. c1 and rows k0 .. k0 + kl of op(B), at panel.</summary>
        readonly struct Block(Job job, int k0, int kl, int c0, int c1, float* panel)
        {
            readonly Product P = job.P;
            readonly int K0 = k0, Kl = kl, C0 = c0, C1 = c1, Ldd = job.Ldd;
            readonly float* Panel = panel, Dst = job.Dst;

            public void Tiles(int from, int to)
            {
                if (from >= to) return;
                bool load = K0 > 0;
                float[] rowsBuf = Grow(ref _rows, (long)Rows * Kl);
                float[] edgeBuf = Grow(ref _edge, Rows * Wide);
                fixed (float* ar = rowsBuf) fixed (float* edge = edgeBuf)
                    for (int t = from; t < to; t++)
                    {
                        int i0 = t * Rows, rows = Math.Min(Rows, P.M - i0);
                        float* a; int lda;
                        if (!P.TransA && rows == Rows) { a = P.A + (long)i0 * P.Lda + K0; lda = P.Lda; }
                        else
                        {
                            // op(A)'s rows i0 .. i0 + 5 copied out (rows past m are zeros): a transposed A, or the last tile.
                            for (int r = 0; r < Rows; r++)
                                for (int l = 0; l < Kl; l++) ar[r * Kl + l] = r < rows ? P.AAt(i0 + r, K0 + l) : 0f;
                            a = ar; lda = Kl;
                        }
                        for (int g0 = C0; g0 < C1; g0 += Wide)
                        {
                            int gw = Math.Min(Wide, C1 - g0), cols = Math.Min(gw, P.N - g0);
                            float* bp = Panel + (long)(g0 - C0) * Kl, c = Dst + (long)i0 * Ldd + g0;
                            if (rows == Rows && cols == gw) { Tile(gw, Kl, a, lda, bp, c, Ldd, load); continue; }
                            // An edge tile: through a buffer, so that nothing past row m or column n is touched.
                            if (load)
                                for (int r = 0; r < rows; r++)
                                    new ReadOnlySpan<float>(c + (long)r * Ldd, cols).CopyTo(new Span<float>(edge + r * Wide, cols));
                            Tile(gw, Kl, a, lda, bp, edge, Wide, load);
                            for (int r = 0; r < rows; r++)
                                new ReadOnlySpan<float>(edge + r * Wide, cols).CopyTo(new Span<float>(c + (long)r * Ldd, cols));
                        }
                    }
            }
        }
    }

    static void Tile(int gw, int kl, float* a, int lda, float* bp, float* c, int ldc, bool load)
    {
        switch (gw / TV.Width)
        {
            case 1: Tile1(kl, a, lda, bp, c, ldc, load); break;
            case 2: Tile2(kl, a, lda, bp, c, ldc, load); break;
            case 3: Tile3(kl, a, lda, bp, c, ldc, load); break;
            default: Tile4(kl, a, lda, bp, c, ldc, load); break;
        }
    }

    static float[] Grow(ref float[]? buffer, long length)
    {
        if (length > Array.MaxLength) throw new ArgumentException($"the managed GEMM needs a buffer of {length} floats, more than one array holds");
        if (buffer is null || buffer.Length < length) buffer = new float[Math.Max(length, 1)];
        return buffer;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static TV At(float* p, bool load) => load ? TV.Load(p) : default;

    /// <summary>A 6 x w tile: C = (load ? C : 0) + sum over l &lt; k of a_r[l] * bp[l], one multiply-add step
    /// (TV.Fma) per term, in order of l (rows r of A at a + r * lda; bp: k rows of 1 vector).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Tile1(int k, float* a, int lda, float* bp, float* c, int ldc, bool load)
    {
        int w = TV.Width;
        TV c00 = At(c, load);
        TV c10 = At(c + ldc, load);
        TV c20 = At(c + 2 * ldc, load);
        TV c30 = At(c + 3 * ldc, load);
        TV c40 = At(c + 4 * ldc, load);
        TV c50 = At(c + 5 * ldc, load);
        float* a1 = a + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda;
        for (int l = 0; l < k; l++, bp += w)
        {
            TV b0 = TV.Load(bp);
            TV x = TV.Splat(a[l]); c00 = TV.Fma(x, b0, c00);
            x = TV.Splat(a1[l]); c10 = TV.Fma(x, b0, c10);
            x = TV.Splat(a2[l]); c20 = TV.Fma(x, b0, c20);
            x = TV.Splat(a3[l]); c30 = TV.Fma(x, b0, c30);
            x = TV.Splat(a4[l]); c40 = TV.Fma(x, b0, c40);
            x = TV.Splat(a5[l]); c50 = TV.Fma(x, b0, c50);
        }
        c00.Store(c);
        c10.Store(c + ldc);
        c20.Store(c + 2 * ldc);
        c30.Store(c + 3 * ldc);
        c40.Store(c + 4 * ldc);
        c50.Store(c + 5 * ldc);
    }

    /// <summary>A 6 x 2w tile: C = (load ? C : 0) + sum over l &lt; k of a_r[l] * bp[l], one multiply-add step
    /// (TV.Fma) per term, in order of l (rows r of A at a + r * lda; bp: k rows of 2 vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Tile2(int k, float* a, int lda, float* bp, float* c, int ldc, bool load)
    {
        int w = TV.Width;
        TV c00 = At(c, load), c01 = At(c + w, load);
        TV c10 = At(c + ldc, load), c11 = At(c + ldc + w, load);
        TV c20 = At(c + 2 * ldc, load), c21 = At(c + 2 * ldc + w, load);
        TV c30 = At(c + 3 * ldc, load), c31 = At(c + 3 * ldc + w, load);
        TV c40 = At(c + 4 * ldc, load), c41 = At(c + 4 * ldc + w, load);
        TV c50 = At(c + 5 * ldc, load), c51 = At(c + 5 * ldc + w, load);
        float* a1 = a + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda;
        for (int l = 0; l < k; l++, bp += 2 * w)
        {
            TV b0 = TV.Load(bp); TV b1 = TV.Load(bp + w);
            TV x = TV.Splat(a[l]); c00 = TV.Fma(x, b0, c00); c01 = TV.Fma(x, b1, c01);
            x = TV.Splat(a1[l]); c10 = TV.Fma(x, b0, c10); c11 = TV.Fma(x, b1, c11);
            x = TV.Splat(a2[l]); c20 = TV.Fma(x, b0, c20); c21 = TV.Fma(x, b1, c21);
            x = TV.Splat(a3[l]); c30 = TV.Fma(x, b0, c30); c31 = TV.Fma(x, b1, c31);
            x = TV.Splat(a4[l]); c40 = TV.Fma(x, b0, c40); c41 = TV.Fma(x, b1, c41);
            x = TV.Splat(a5[l]); c50 = TV.Fma(x, b0, c50); c51 = TV.Fma(x, b1, c51);
        }
        c00.Store(c); c01.Store(c + w);
        c10.Store(c + ldc); c11.Store(c + ldc + w);
        c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + w);
        c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + w);
        c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + w);
        c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + w);
    }

    /// <summary>A 6 x 3w tile: C = (load ? C : 0) + sum over l &lt; k of a_r[l] * bp[l], one multiply-add step
    /// (TV.Fma) per term, in order of l (rows r of A at a + r * lda; bp: k rows of 3 vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Tile3(int k, float* a, int lda, float* bp, float* c, int ldc, bool load)
    {
        int w = TV.Width;
        TV c00 = At(c, load), c01 = At(c + w, load), c02 = At(c + 2 * w, load);
        TV c10 = At(c + ldc, load), c11 = At(c + ldc + w, load), c12 = At(c + ldc + 2 * w, load);
        TV c20 = At(c + 2 * ldc, load), c21 = At(c + 2 * ldc + w, load), c22 = At(c + 2 * ldc + 2 * w, load);
        TV c30 = At(c + 3 * ldc, load), c31 = At(c + 3 * ldc + w, load), c32 = At(c + 3 * ldc + 2 * w, load);
        TV c40 = At(c + 4 * ldc, load), c41 = At(c + 4 * ldc + w, load), c42 = At(c + 4 * ldc + 2 * w, load);
        TV c50 = At(c + 5 * ldc, load), c51 = At(c + 5 * ldc + w, load), c52 = At(c + 5 * ldc + 2 * w, load);
        float* a1 = a + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda;
        for (int l = 0; l < k; l++, bp += 3 * w)
        {
            TV b0 = TV.Load(bp); TV b1 = TV.Load(bp + w); TV b2 = TV.Load(bp + 2 * w);
            TV x = TV.Splat(a[l]); c00 = TV.Fma(x, b0, c00); c01 = TV.Fma(x, b1, c01); c02 = TV.Fma(x, b2, c02);
            x = TV.Splat(a1[l]); c10 = TV.Fma(x, b0, c10); c11 = TV.Fma(x, b1, c11); c12 = TV.Fma(x, b2, c12);
            x = TV.Splat(a2[l]); c20 = TV.Fma(x, b0, c20); c21 = TV.Fma(x, b1, c21); c22 = TV.Fma(x, b2, c22);
            x = TV.Splat(a3[l]); c30 = TV.Fma(x, b0, c30); c31 = TV.Fma(x, b1, c31); c32 = TV.Fma(x, b2, c32);
            x = TV.Splat(a4[l]); c40 = TV.Fma(x, b0, c40); c41 = TV.Fma(x, b1, c41); c42 = TV.Fma(x, b2, c42);
            x = TV.Splat(a5[l]); c50 = TV.Fma(x, b0, c50); c51 = TV.Fma(x, b1, c51); c52 = TV.Fma(x, b2, c52);
        }
        c00.Store(c); c01.Store(c + w); c02.Store(c + 2 * w);
        c10.Store(c + ldc); c11.Store(c + ldc + w); c12.Store(c + ldc + 2 * w);
        c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + w); c22.Store(c + 2 * ldc + 2 * w);
        c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + w); c32.Store(c + 3 * ldc + 2 * w);
        c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + w); c42.Store(c + 4 * ldc + 2 * w);
        c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + w); c52.Store(c + 5 * ldc + 2 * w);
    }

    /// <summary>A 6 x 4w tile: C = (load ? C : 0) + sum over l &lt; k of a_r[l] * bp[l], one multiply-add step
    /// (TV.Fma) per term, in order of l (rows r of A at a + r * lda; bp: k rows of 4 vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Tile4(int k, float* a, int lda, float* bp, float* c, int ldc, bool load)
    {
        int w = TV.Width;
        TV c00 = At(c, load), c01 = At(c + w, load), c02 = At(c + 2 * w, load), c03 = At(c + 3 * w, load);
        TV c10 = At(c + ldc, load), c11 = At(c + ldc + w, load), c12 = At(c + ldc + 2 * w, load), c13 = At(c + ldc + 3 * w, load);
        TV c20 = At(c + 2 * ldc, load), c21 = At(c + 2 * ldc + w, load), c22 = At(c + 2 * ldc + 2 * w, load), c23 = At(c + 2 * ldc + 3 * w, load);
        TV c30 = At(c + 3 * ldc, load), c31 = At(c + 3 * ldc + w, load), c32 = At(c + 3 * ldc + 2 * w, load), c33 = At(c + 3 * ldc + 3 * w, load);
        TV c40 = At(c + 4 * ldc, load), c41 = At(c + 4 * ldc + w, load), c42 = At(c + 4 * ldc + 2 * w, load), c43 = At(c + 4 * ldc + 3 * w, load);
        TV c50 = At(c + 5 * ldc, load), c51 = At(c + 5 * ldc + w, load), c52 = At(c + 5 * ldc + 2 * w, load), c53 = At(c + 5 * ldc + 3 * w, load);
        float* a1 = a + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda;
        for (int l = 0; l < k; l++, bp += 4 * w)
        {
            TV b0 = TV.Load(bp); TV b1 = TV.Load(bp + w); TV b2 = TV.Load(bp + 2 * w); TV b3 = TV.Load(bp + 3 * w);
            TV x = TV.Splat(a[l]); c00 = TV.Fma(x, b0, c00); c01 = TV.Fma(x, b1, c01); c02 = TV.Fma(x, b2, c02); c03 = TV.Fma(x, b3, c03);
            x = TV.Splat(a1[l]); c10 = TV.Fma(x, b0, c10); c11 = TV.Fma(x, b1, c11); c12 = TV.Fma(x, b2, c12); c13 = TV.Fma(x, b3, c13);
            x = TV.Splat(a2[l]); c20 = TV.Fma(x, b0, c20); c21 = TV.Fma(x, b1, c21); c22 = TV.Fma(x, b2, c22); c23 = TV.Fma(x, b3, c23);
            x = TV.Splat(a3[l]); c30 = TV.Fma(x, b0, c30); c31 = TV.Fma(x, b1, c31); c32 = TV.Fma(x, b2, c32); c33 = TV.Fma(x, b3, c33);
            x = TV.Splat(a4[l]); c40 = TV.Fma(x, b0, c40); c41 = TV.Fma(x, b1, c41); c42 = TV.Fma(x, b2, c42); c43 = TV.Fma(x, b3, c43);
            x = TV.Splat(a5[l]); c50 = TV.Fma(x, b0, c50); c51 = TV.Fma(x, b1, c51); c52 = TV.Fma(x, b2, c52); c53 = TV.Fma(x, b3, c53);
        }
        c00.Store(c); c01.Store(c + w); c02.Store(c + 2 * w); c03.Store(c + 3 * w);
        c10.Store(c + ldc); c11.Store(c + ldc + w); c12.Store(c + ldc + 2 * w); c13.Store(c + ldc + 3 * w);
        c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + w); c22.Store(c + 2 * ldc + 2 * w); c23.Store(c + 2 * ldc + 3 * w);
        c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + w); c32.Store(c + 3 * ldc + 2 * w); c33.Store(c + 3 * ldc + 3 * w);
        c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + w); c42.Store(c + 4 * ldc + 2 * w); c43.Store(c + 4 * ldc + 3 * w);
        c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + w); c52.Store(c + 5 * ldc + 2 * w); c53.Store(c + 5 * ldc + 3 * w);
    }
}

using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Hebb.Accelerated.Backends.Cpu;

/// <summary>
/// The k largest values of a row and their indices, ranked by value (descending) and, among equal values, by index
/// (ascending): the order of the reference's ranking (Hebb.Reference.Krotov.rank). Rows must be free of NaN.
/// </summary>
public static class TopK
{
    /// <summary>The largest k for which <see cref="Lanes"/> is used; larger k take <see cref="Scan"/>.</summary>
    public const int LaneLimit = 8;

    /// <summary>Fills top[0..] with the min(k, row.Length) largest entries of row, best first; returns how many.</summary>
    public static int Find(ReadOnlySpan<float> row, Span<(float Value, int Index)> top)
    {
        if (top.Length == 1 && row.Length > 0)
        {
            int best = Best(row);
            top[0] = (row[best], best);
            return 1;
        }
        return top.Length <= LaneLimit && Vector256.IsHardwareAccelerated && row.Length >= 2 * Vector256<float>.Count
            ? Lanes(row, top)
            : Scan(row, top);
    }

    /// <summary>
    /// k = 1: the index of the largest entry of a non-empty row, the lowest on ties (+0 and -0 are equal): the row's
    /// maximum (<see cref="TensorPrimitives.Max(ReadOnlySpan{float})"/>), then the first entry equal to it, a vector of
    /// entries at a time.
    /// </summary>
    public static int Best(ReadOnlySpan<float> row)
    {
        if (row.IsEmpty) throw new ArgumentException("TopK.Best needs at least one value", nameof(row));
        float max = TensorPrimitives.Max(row);
        int w = Vector256<float>.Count, j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float first = ref MemoryMarshal.GetReference(row);
            var mv = Vector256.Create(max);
            for (; j <= row.Length - w; j += w)
            {
                uint hits = Vector256.Equals(Vector256.LoadUnsafe(ref first, (nuint)j), mv).ExtractMostSignificantBits();
                if (hits != 0) return j + BitOperations.TrailingZeroCount(hits);
            }
        }
        for (; j < row.Length; j++) if (row[j] == max) return j;
        // Only a row with NaN gets here (its maximum is NaN, equal to nothing): a scalar scan by >.
        int best = 0;
        for (int i = 1; i < row.Length; i++) if (row[i] > row[best]) best = i;
        return best;
    }

    /// <summary>
    /// One pass keeping a sorted buffer of the k best so far; a later equal value never displaces an earlier one.
    /// </summary>
    public static int Scan(ReadOnlySpan<float> row, Span<(float Value, int Index)> top)
    {
        int k = top.Length, filled = 0;
        for (int mu = 0; mu < row.Length; mu++)
        {
            float x = row[mu];
            if (filled == k && !(x > top[k - 1].Value)) continue;
            int pos = filled == k ? k - 1 : filled;
            while (pos > 0 && x > top[pos - 1].Value) { top[pos] = top[pos - 1]; pos--; }
            top[pos] = (x, mu);
            if (filled < k) filled++;
        }
        return filled;
    }

    /// <summary>
    /// Two SIMD passes for small k. (1) The k-th largest value t: each lane keeps its k largest values by a min/max
    /// insertion network (two independent sets of lanes, for even and odd vectors, halve the dependency chain); the
    /// row's k largest values are among the lanes' (and the tail's). (2) The winners: in index order, every entry
    /// &gt; t and the first entries equal to t, ranked by (value desc, index asc). Requires k &lt;= <see cref="LaneLimit"/>
    /// and at least 16 values.
    /// </summary>
    public static int Lanes(ReadOnlySpan<float> row, Span<(float Value, int Index)> top)
    {
        int k = top.Length, w = Vector256<float>.Count, n = row.Length;
        if (k < 1 || k > LaneLimit) throw new ArgumentOutOfRangeException(nameof(top), k, $"TopK.Lanes handles 1 <= k <= {LaneLimit}");
        if (n < 2 * w) throw new ArgumentOutOfRangeException(nameof(row), n, $"TopK.Lanes needs at least {2 * w} values");
        ref float first = ref MemoryMarshal.GetReference(row);
        int full = n - n % (2 * w);

        // Pass 1: the k-th largest value of the row.
        float kth = k <= 2 ? KthValue2(row, full, k) : KthValueN(row, full, k);

        // Pass 2: in index order, each entry > kth (fewer than k) and the first k entries equal to it.
        int filled = 0, ties = 0;
        var kv = Vector256.Create(kth);
        for (int j = 0; j < n - n % w; j += w)
        {
            uint hits = Vector256.GreaterThanOrEqual(Vector256.LoadUnsafe(ref first, (nuint)j), kv).ExtractMostSignificantBits();
            while (hits != 0)
            {
                int mu = j + BitOperations.TrailingZeroCount(hits);
                hits &= hits - 1;
                Add(row[mu], mu, kth, top, k, ref filled, ref ties);
            }
        }
        for (int mu = n - n % w; mu < n; mu++)
            if (row[mu] >= kth) Add(row[mu], mu, kth, top, k, ref filled, ref ties);
        return filled;
    }

    /// <summary>Inserts (x, mu) into the sorted top (value desc; in index order, so an equal later value goes behind).</summary>
    static void Add(float x, int mu, float kth, Span<(float Value, int Index)> top, int k, ref int filled, ref int ties)
    {
        if (x == kth && ties++ >= k) return;
        if (filled == k && !(x > top[k - 1].Value)) return;
        int pos = filled == k ? k - 1 : filled;
        while (pos > 0 && x > top[pos - 1].Value) { top[pos] = top[pos - 1]; pos--; }
        top[pos] = (x, mu);
        if (filled < k) filled++;
    }

    /// <summary>k &lt;= 2: the lanes' two largest values in registers, two sets (even and odd vectors); then the sets,
    /// the tail and the lanes merged by the same min/max insertion.</summary>
    static float KthValue2(ReadOnlySpan<float> row, int full, int k)
    {
        int w = Vector256<float>.Count;
        ref float first = ref MemoryMarshal.GetReference(row);
        var ninf = Vector256.Create(float.NegativeInfinity);
        Vector256<float> a0 = ninf, a1 = ninf, b0 = ninf, b1 = ninf;
        for (int j = 0; j < full; j += 2 * w)
        {
            var x = Vector256.LoadUnsafe(ref first, (nuint)j);
            var y = Vector256.LoadUnsafe(ref first, (nuint)(j + w));
            a1 = Vector256.MaxNative(a1, Vector256.MinNative(a0, x));
            a0 = Vector256.MaxNative(a0, x);
            b1 = Vector256.MaxNative(b1, Vector256.MinNative(b0, y));
            b0 = Vector256.MaxNative(b0, y);
        }
        Insert2(ref a0, ref a1, b0);
        Insert2(ref a0, ref a1, b1);
        for (int j = full; j < row.Length; j++) Insert2(ref a0, ref a1, ninf.WithElement(0, row[j]));
        // Across lanes: each lane merges the list of the lane 4, 2, then 1 away (disjoint sets of entries each time).
        Span<int> shifts = [4, 2, 1];
        foreach (int sh in shifts)
        {
            var perm = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) ^ Vector256.Create(sh);
            var p0 = Vector256.Shuffle(a0, perm);
            var p1 = Vector256.Shuffle(a1, perm);
            Insert2(ref a0, ref a1, p0);
            Insert2(ref a0, ref a1, p1);
        }
        return k == 1 ? a0.ToScalar() : a1.ToScalar();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Insert2(ref Vector256<float> a0, ref Vector256<float> a1, Vector256<float> x)
    {
        a1 = Vector256.MaxNative(a1, Vector256.MinNative(a0, x));
        a0 = Vector256.MaxNative(a0, x);
    }

    /// <summary>2 &lt; k &lt;= LaneLimit: as <see cref="KthValue2"/> with the lanes' k largest values in a small stack array.</summary>
    static float KthValueN(ReadOnlySpan<float> row, int full, int k)
    {
        int w = Vector256<float>.Count;
        ref float first = ref MemoryMarshal.GetReference(row);
        var ninf = Vector256.Create(float.NegativeInfinity);
        Span<Vector256<float>> a = stackalloc Vector256<float>[LaneLimit], b = stackalloc Vector256<float>[LaneLimit];
        a = a.Slice(0, k); b = b.Slice(0, k);
        a.Fill(ninf);
        b.Fill(ninf);
        for (int j = 0; j < full; j += 2 * w)
        {
            var x = Vector256.LoadUnsafe(ref first, (nuint)j);
            var y = Vector256.LoadUnsafe(ref first, (nuint)(j + w));
            for (int l = 0; l < a.Length; l++)
            {
                var ax = Vector256.MinNative(a[l], x); a[l] = Vector256.MaxNative(a[l], x); x = ax;
                var by = Vector256.MinNative(b[l], y); b[l] = Vector256.MaxNative(b[l], y); y = by;
            }
        }
        foreach (var x in b) InsertN(a, x);
        for (int j = full; j < row.Length; j++) InsertN(a, ninf.WithElement(0, row[j]));
        Span<int> shifts = [4, 2, 1];
        foreach (int sh in shifts)
        {
            var perm = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) ^ Vector256.Create(sh);
            for (int l = 0; l < a.Length; l++) b[l] = Vector256.Shuffle(a[l], perm);
            foreach (var x in b) InsertN(a, x);
        }
        return a[k - 1].ToScalar();
    }

    /// <summary>Whether <see cref="Columns"/> runs on this machine: it needs 512-bit vectors.</summary>
    public static bool ColumnsAccelerated => Vector512.IsHardwareAccelerated;

    /// <summary>The samples one <see cref="Columns"/> group ranks at once, and what a matrix's row length (ld) must
    /// be a multiple of.</summary>
    public const int ColumnGroup = 4 * 16;

    /// <summary>The row length (ld) of a unit-major matrix of currents for <paramref name="samples"/> samples: samples
    /// rounded up to a multiple of <see cref="ColumnGroup"/>.</summary>
    public static int ColumnsLd(int samples) => (samples + ColumnGroup - 1) / ColumnGroup * ColumnGroup;

    /// <summary>
    /// The two largest values of every column of <paramref name="c"/> (units x ld, row-major: column s holds sample
    /// s's currents, one per unit) and their unit indices, in the order of <see cref="Find"/> (value descending, then
    /// index ascending), written to top[s * stride] and, when stride &gt;= 2, top[s * stride + 1], for the first
    /// <paramref name="samples"/> columns. One pass down the rows, 64 columns at a time, each lane keeping its column's
    /// best two by compare and select (values and indices move together, so a value is the entry its index names).
    /// Columns from samples up to ld may hold anything finite; they are ranked and dropped. Requires
    /// <see cref="ColumnsAccelerated"/>, units &gt;= 2, ld a positive multiple of <see cref="ColumnGroup"/> and no NaN.
    /// </summary>
    public static void Columns(ReadOnlySpan<float> c, int units, int samples, int ld, Span<(float Value, int Index)> top, int stride)
    {
        if (!ColumnsAccelerated) throw new PlatformNotSupportedException("TopK.Columns needs 512-bit vectors (Vector512.IsHardwareAccelerated)");
        if (units < 2) throw new ArgumentOutOfRangeException(nameof(units), units, "TopK.Columns needs at least 2 units");
        if (ld < ColumnGroup || ld % ColumnGroup != 0) throw new ArgumentOutOfRangeException(nameof(ld), ld, $"ld must be a positive multiple of {ColumnGroup}");
        if (samples < 0 || samples > ld) throw new ArgumentOutOfRangeException(nameof(samples), samples, $"samples must be in [0, ld = {ld}]");
        if (stride < 1) throw new ArgumentOutOfRangeException(nameof(stride), stride, "stride must be >= 1");
        if (c.Length < units * ld) throw new ArgumentException($"c has {c.Length} values; units x ld = {units * ld} needed", nameof(c));
        if (top.Length < samples * stride) throw new ArgumentException($"top has {top.Length} entries; samples x stride = {samples * stride} needed", nameof(top));
        ref float first = ref MemoryMarshal.GetReference(c);
        Span<float> v = stackalloc float[2 * ColumnGroup];
        Span<int> ix = stackalloc int[2 * ColumnGroup];
        for (int g = 0; g < samples; g += ColumnGroup)
        {
            Group(ref first, (nuint)g, units, (nuint)ld, v, ix);
            for (int s = g; s < Math.Min(samples, g + ColumnGroup); s++)
            {
                top[s * stride] = (v[s - g], ix[s - g]);
                if (stride >= 2) top[s * stride + 1] = (v[ColumnGroup + s - g], ix[ColumnGroup + s - g]);
            }
        }
    }

    /// <summary>Columns [col, col + 64): the best (v[0..64), ix[0..64)) and the second (v[64..), ix[64..)). Four sets
    /// of 16 columns, in locals, for four independent dependency chains.</summary>
    static void Group(ref float c, nuint col, int units, nuint ld, Span<float> v, Span<int> ix)
    {
        Seed(Vector512.LoadUnsafe(ref c, col), Vector512.LoadUnsafe(ref c, col + ld), out var a0, out var a1, out var ia0, out var ia1);
        Seed(Vector512.LoadUnsafe(ref c, col + 16), Vector512.LoadUnsafe(ref c, col + ld + 16), out var b0, out var b1, out var ib0, out var ib1);
        Seed(Vector512.LoadUnsafe(ref c, col + 32), Vector512.LoadUnsafe(ref c, col + ld + 32), out var c0, out var c1, out var ic0, out var ic1);
        Seed(Vector512.LoadUnsafe(ref c, col + 48), Vector512.LoadUnsafe(ref c, col + ld + 48), out var d0, out var d1, out var id0, out var id1);
        var mu = Vector512.Create(2);
        nuint off = col + 2 * ld;
        for (int u = 2; u < units; u++, off += ld, mu += Vector512<int>.One)
        {
            Insert(Vector512.LoadUnsafe(ref c, off), mu, ref a0, ref a1, ref ia0, ref ia1);
            Insert(Vector512.LoadUnsafe(ref c, off + 16), mu, ref b0, ref b1, ref ib0, ref ib1);
            Insert(Vector512.LoadUnsafe(ref c, off + 32), mu, ref c0, ref c1, ref ic0, ref ic1);
            Insert(Vector512.LoadUnsafe(ref c, off + 48), mu, ref d0, ref d1, ref id0, ref id1);
        }
        a0.CopyTo(v); b0.CopyTo(v.Slice(16)); c0.CopyTo(v.Slice(32)); d0.CopyTo(v.Slice(48));
        a1.CopyTo(v.Slice(64)); b1.CopyTo(v.Slice(80)); c1.CopyTo(v.Slice(96)); d1.CopyTo(v.Slice(112));
        ia0.CopyTo(ix); ib0.CopyTo(ix.Slice(16)); ic0.CopyTo(ix.Slice(32)); id0.CopyTo(ix.Slice(48));
        ia1.CopyTo(ix.Slice(64)); ib1.CopyTo(ix.Slice(80)); ic1.CopyTo(ix.Slice(96)); id1.CopyTo(ix.Slice(112));
    }

    /// <summary>16 columns' best two among units 0 (x0) and 1 (x1): values a0 &gt;= a1 (a0 the earlier unit among
    /// equals) and their units.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Seed(Vector512<float> x0, Vector512<float> x1, out Vector512<float> a0, out Vector512<float> a1, out Vector512<int> i0, out Vector512<int> i1)
    {
        var swap = Vector512.GreaterThan(x1, x0);
        a0 = Vector512.ConditionalSelect(swap, x1, x0);
        a1 = Vector512.ConditionalSelect(swap, x0, x1);
        i0 = swap.AsInt32() & Vector512<int>.One;
        i1 = Vector512<int>.One - i0;
    }

    /// <summary>Unit mu's values x, a later unit than all seen: it ranks before an entry only when strictly larger.
    /// Values and units move by the same masks, so a value is always the entry its unit names.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Insert(Vector512<float> x, Vector512<int> mu, ref Vector512<float> a0, ref Vector512<float> a1, ref Vector512<int> i0, ref Vector512<int> i1)
    {
        var first = Vector512.GreaterThan(x, a0);
        var second = Vector512.GreaterThan(x, a1);
        a1 = Vector512.ConditionalSelect(first, a0, Vector512.ConditionalSelect(second, x, a1));
        i1 = Vector512.ConditionalSelect(first.AsInt32(), i0, Vector512.ConditionalSelect(second.AsInt32(), mu, i1));
        a0 = Vector512.ConditionalSelect(first, x, a0);
        i0 = Vector512.ConditionalSelect(first.AsInt32(), mu, i0);
    }

    static void InsertN(Span<Vector256<float>> a, Vector256<float> x)
    {
        for (int l = 0; l < a.Length; l++)
        {
            var t = Vector256.MinNative(a[l], x);
            a[l] = Vector256.MaxNative(a[l], x);
            x = t;
        }
    }
}

using System.Numerics;
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
    public static int Find(ReadOnlySpan<float> row, Span<(float Value, int Index)> top) =>
        top.Length <= LaneLimit && Vector256.IsHardwareAccelerated && row.Length >= 2 * Vector256<float>.Count
            ? Lanes(row, top)
            : Scan(row, top);

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

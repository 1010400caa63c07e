using Hebb.Contracts;

namespace Hebb.Verification;

/// <summary>Equivalence cases of the NNL-CONV layer (Grinberg, Hopfield &amp; Krotov 2019, section 2).</summary>
public sealed class NnlConvCases : ICaseSource
{
    /// <summary>Filters with unit rows (what the learning converges to).</summary>
    public static Matrix UnitRows(int k, int n, int seed)
    {
        var m = Seeded.Normal(k, n, seed);
        for (int r = 0; r < k; r++)
        {
            var row = m.Row(r);
            double s = 0;
            foreach (var x in row) s += (double)x * x;
            for (int i = 0; i < row.Length; i++) row[i] = (float)(row[i] / Math.Sqrt(s));
        }
        return m;
    }

    /// <summary>Images of pixels in [0, 1] with a black (all-zero) square in the first one, so some patches are zero.</summary>
    static Matrix Images(int b, NnlConvOptions o, int seed)
    {
        var m = Seeded.Uniform(b, o.Height * o.Width * o.Channels, seed);
        for (int c = 0; c < o.Channels; c++)
            for (int y = 0; y < Math.Min(5, o.Height); y++)
                for (int x = 0; x < Math.Min(5, o.Width); x++)
                    m[0, c * o.Height * o.Width + y * o.Width + x] = 0f;
        return m;
    }

    static Case Forward(string name, NnlConvOptions o, int b, Tolerance tol, int seed) => new("nnl-conv", name, (r, e) =>
    {
        var filters = UnitRows(o.Filters, o.PatchSize, seed);
        var images = Images(b, o, seed + 1);
        // With a steep power only filters close to a patch give outputs of size 1: make two filters patches of the
        // last image, so the case tests outputs near 1 as well as tiny ones.
        using (var probe = r.CreateNnlConv(o, filters))
        {
            var patches = probe.Patches(images.SliceRows(b - 1, 1));
            for (int f = 0; f < Math.Min(2, o.Filters); f++)
            {
                var src = patches.Row((f + 1) * patches.Rows / 3);
                double norm = Math.Sqrt(src.ToArray().Sum(x => (double)x * x));
                for (int i = 0; i < src.Length; i++) filters[f, i] = (float)(src[i] / norm);
            }
        }
        using var a = r.CreateNnlConv(o, filters);
        using var c = e.CreateNnlConv(o, filters);
        return [Compare.Matrices("nnl-conv", name, a.Forward(images), c.Forward(images), tol)];
    });

    public IEnumerable<Case> Cases()
    {
        var odd = new NnlConvOptions { Height = 7, Width = 9, Channels = 2, Window = 3, Stride = 2, Padding = 1, Filters = 3, Power = 1, PoolWindow = 1, PoolStride = 1 };
        yield return new("nnl-conv", "patches: 7x9x2 image, window 3, stride 2, padding 1", (r, e) =>
        {
            var images = Images(2, odd, 200);
            using var a = r.CreateNnlConv(odd, UnitRows(3, odd.PatchSize, 201));
            using var c = e.CreateNnlConv(odd, UnitRows(3, odd.PatchSize, 201));
            return [Compare.Matrices("nnl-conv", "patches", a.Patches(images), c.Patches(images), Tolerances.Exact)];
        });
        yield return Forward("NNL-CONV n=10: 9x11x3, W=4, K=5, pool 3 stride 2", new NnlConvOptions
            { Height = 9, Width = 11, Channels = 3, Window = 4, Filters = 5, Power = 10, PoolWindow = 3, PoolStride = 2 }, 3, NnlConvTolerances.Cosine, 210);
        yield return Forward("NNL-CONV n=40: 12x12x3, W=4, K=7, pool 4 stride 3", new NnlConvOptions
            { Height = 12, Width = 12, Channels = 3, Window = 4, Filters = 7, Power = 40, PoolWindow = 4, PoolStride = 3 }, 2, NnlConvTolerances.Cosine, 220);
        yield return Forward("CONV control (no patch normalization, ReLU): 10x10x1, W=3, padding 1", new NnlConvOptions
            { Height = 10, Width = 10, Channels = 1, Window = 3, Padding = 1, Filters = 6, PatchNormalization = false, Power = 1, PoolWindow = 2, PoolStride = 2 }, 2, NnlConvTolerances.Linear, 230);
        yield return Forward("centred patches, NNL-CONV n=10: 9x9x3, W=3, padding 1", new NnlConvOptions
            { Height = 9, Width = 9, Channels = 3, Window = 3, Padding = 1, Filters = 5, CenterPatches = true, Power = 10, PoolWindow = 3, PoolStride = 3 }, 2, NnlConvTolerances.Cosine, 235);
        yield return Forward("no pooling, batch of 1: 8x8x3, W=5, stride 3", new NnlConvOptions
            { Height = 8, Width = 8, Channels = 3, Window = 5, Stride = 3, Filters = 4, Power = 3, PoolWindow = 1, PoolStride = 1 }, 1, NnlConvTolerances.Cosine, 240);
        yield return new("nnl-conv", "bad input is refused", (r, e) =>
        {
            var o = odd;
            var list = new List<Comparison>();
            foreach (var eng in new[] { r, e })
            {
                using var layer = eng.CreateNnlConv(o, UnitRows(3, o.PatchSize, 250));
                string outcome = Refusal.Of<ArgumentException>(() => layer.Forward(Seeded.Uniform(2, 7 * 9 * 2 - 1, 251)), "images", "an image of the wrong size was accepted");
                string opt = Refusal.Of<ArgumentOutOfRangeException>(() => eng.CreateNnlConv(o with { PoolWindow = 9 }, UnitRows(3, o.PatchSize, 250)).Dispose(),
                                                                     "PoolWindow", "a pooling window larger than the output was accepted");
                list.Add(new("nnl-conv", $"bad input on {eng.Name}", 0, 0, outcome == "" && opt == "", outcome + opt));
            }
            return list;
        });
    }
}

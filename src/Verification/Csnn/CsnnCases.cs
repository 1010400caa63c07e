using Hebb.Contracts;
using static Hebb.Verification.Seeded;

namespace Hebb.Verification;

/// <summary>Equivalence cases of CSNN's masked multi-head sconv layer (Stuhr &amp; Brauer, section III: eq. 1-15).</summary>
public sealed class CsnnCases : ICaseSource
{
    /// <summary>Weights and masks drawn U(-1, 1), as the paper initializes them, one pair per map.</summary>
    static (Matrix[] W, Matrix[] M) Initial(CsnnOptions o, int seed) =>
        ([.. Enumerable.Range(0, o.Maps).Select(h => Uniform(o.Neurons, o.PatchSize, seed + h, -1, 1))],
         [.. Enumerable.Range(0, o.Maps).Select(h => Uniform(o.Neurons, o.MaskSize, seed + 100 + h, -1, 1))]);

    /// <summary>Images with pixels in [-1, 1] (normalized input).</summary>
    static Matrix Images(CsnnOptions o, int b, int seed) => Uniform(b, o.Height * o.Width * o.Channels, seed, -1, 1);

    static IEnumerable<Comparison> States(string name, ICsnnLayer a, ICsnnLayer b, Tolerance tol)
    {
        for (int h = 0; h < a.Options.Maps; h++)
        {
            yield return Compare.Matrices("csnn", $"{name}: weights of map {h}", a.ReadWeights(h), b.ReadWeights(h), tol);
            yield return Compare.Matrices("csnn", $"{name}: masks of map {h}", a.ReadMasks(h), b.ReadMasks(h), tol);
        }
    }

    static Case Forward(string name, CsnnOptions o, int batch, int seed) => new("csnn", name, (r, e) =>
    {
        var (w, m) = Initial(o, seed);
        using var a = r.CreateCsnn(o, w, m);
        using var b = e.CreateCsnn(o, w, m);
        var x = Images(o, batch, seed + 7);
        return [Compare.Matrices("csnn", name, a.Forward(x), b.Forward(x), CsnnTolerances.Scores)];
    });

    /// <summary>A normalization with means U(-1, 1) and variances U(0.5, 2) for each of the layer's output channels.</summary>
    static CsnnNormalization Norm(CsnnOptions o, int seed)
    {
        var v = Uniform(2, o.OutChannels, seed, -1, 1);
        return CsnnNormalization.Estimated([.. v.Row(0)], [.. v.Row(1).ToArray().Select(x => 1.25f + 0.75f * x)]);
    }

    static Case Block(string name, CsnnOptions o, int batch, int seed, CsnnNormalization? given = null) => new("csnn", name, (r, e) =>
    {
        var (w, m) = Initial(o, seed);
        using var a = r.CreateCsnn(o, w, m);
        using var b = e.CreateCsnn(o, w, m);
        var x = Images(o, batch, seed + 7);
        var norm = given ?? Norm(o, seed + 8);
        return [Compare.Matrices("csnn", name, a.Encode(x, norm), b.Encode(x, norm), CsnnTolerances.Scores)];
    });

    /// <summary>Two layers trained one after the other as the models are (section III-G): the first for some steps,
    /// then the second on the first's block outputs (batch norm with fixed statistics, 2 x 2 pooling), masks between
    /// layers; then both layers' states and the second block's outputs compared.</summary>
    static Case LayerWise(string name, int seed) => new("csnn", name, (r, e) =>
    {
        var first = new CsnnOptions { Height = 7, Width = 7, Channels = 3, GridRows = 2, GridCols = 2, Maps = 2, Pool = 2 };
        var second = new CsnnOptions
        {
            Height = first.PooledHeight, Width = first.PooledWidth, Channels = first.OutChannels, GridRows = 2, GridCols = 3, Maps = 1,
            MaskKind = CsnnMaskKind.BetweenLayers, Sigma = 1.5, Pool = 2,
        };
        var (w1, m1) = Initial(first, seed);
        var (w2, m2) = Initial(second, seed + 1);
        var norm1 = Norm(first, seed + 2);
        var norm2 = Norm(second, seed + 3);
        using var a1 = r.CreateCsnn(first, w1, m1);
        using var b1 = e.CreateCsnn(first, w1, m1);
        using var a2 = r.CreateCsnn(second, w2, m2);
        using var b2 = e.CreateCsnn(second, w2, m2);
        var values = new CsnnStep(0.1, 0.05);
        for (int s = 0; s < 3; s++)
        {
            var x = Images(first, 1, seed + 10 + s);
            a1.Step(x, values);
            b1.Step(x, values);
        }
        for (int s = 0; s < 3; s++)
        {
            var x = Images(first, 2, seed + 20 + s);
            a2.Step(a1.Encode(x, norm1), values);
            b2.Step(b1.Encode(x, norm1), values);
        }
        var probe = Images(first, 2, seed + 30);
        var list = States(name + ", layer 1", a1, b1, CsnnTolerances.Trajectory).Concat(States(name + ", layer 2", a2, b2, CsnnTolerances.Trajectory)).ToList();
        list.Add(Compare.Matrices("csnn", name + ": the second block's outputs", a2.Encode(a1.Encode(probe, norm1), norm2), b2.Encode(b1.Encode(probe, norm1), norm2), CsnnTolerances.Trajectory));
        return list;
    });

    static Case Steps(string name, CsnnOptions o, int batch, int steps, Tolerance tol, int seed) => new("csnn", name, (r, e) =>
    {
        var (w, m) = Initial(o, seed);
        using var a = r.CreateCsnn(o, w, m);
        using var b = e.CreateCsnn(o, w, m);
        for (int s = 0; s < steps; s++)
        {
            var x = Images(o, batch, seed + 10 + s);
            var values = new CsnnStep(0.1, 0.05);
            a.Step(x, values);
            b.Step(x, values);
        }
        return States(name, a, b, tol).ToList();   // read before the layers are disposed
    });

    /// <summary>Table I's NO rows: masks U(-1, 1) written anew before each step (<see cref="ICsnnLayer.WriteMasks"/>),
    /// the mask rate 0; the scores of the last masks and the states compared after each step.</summary>
    static Case NoiseMasks(string name, CsnnOptions o, int steps, int seed) => new("csnn", name, (r, e) =>
    {
        var (w, m) = Initial(o, seed);
        using var a = r.CreateCsnn(o, w, m);
        using var b = e.CreateCsnn(o, w, m);
        var list = new List<Comparison>();
        for (int s = 0; s < steps; s++)
        {
            for (int h = 0; h < o.Maps; h++)
            {
                var noise = Uniform(o.Neurons, o.MaskSize, seed + 50 + 10 * s + h, -1, 1);
                a.WriteMasks(h, noise);
                b.WriteMasks(h, noise);
            }
            var x = Images(o, 2, seed + 10 + s);
            a.Step(x, new CsnnStep(0.1, 0));
            b.Step(x, new CsnnStep(0.1, 0));
            list.AddRange(States($"{name}, step {s + 1}", a, b, CsnnTolerances.Trajectory));
        }
        var probe = Images(o, 2, seed + 40);
        list.Add(Compare.Matrices("csnn", name + ": scores with the last masks", a.Forward(probe), b.Forward(probe), CsnnTolerances.Trajectory));
        return list;
    });

    public IEnumerable<Case> Cases()
    {
        var input = new CsnnOptions { Height = 7, Width = 9, Channels = 2, Kernel = 3, Stride = 2, Padding = 1, GridRows = 2, GridCols = 3, Maps = 2 };
        var between = new CsnnOptions { Height = 6, Width = 5, Channels = 4, Kernel = 3, Stride = 1, Padding = 1, GridRows = 3, GridCols = 3, Maps = 1, MaskKind = CsnnMaskKind.BetweenLayers };
        yield return Forward("forward, input masks (eq. 7-8): 7x9x2, K=3, stride 2, padding 1, 2 maps of 2x3", input, 3, 300);
        yield return Forward("forward, masks between layers (eq. 9): 6x5x4, K=3, 1 map of 3x3", between, 2, 310);
        yield return Forward("forward, no padding, 1x1 grid, batch of 1: 5x5x3, K=2", new CsnnOptions
            { Height = 5, Width = 5, Channels = 3, Kernel = 2, Padding = 0, GridRows = 1, GridCols = 1, Maps = 1 }, 1, 320);
        yield return Steps("one step, input masks, eq. 12 gamma 1, best map only", input, 2, 1, CsnnTolerances.OneStep, 330);
        yield return Steps("one step, masks between layers, eq. 13 gamma 0.5", between with { MaskRule = CsnnMaskRule.EarlierMasks, Gamma = 0.5 }, 1, 1, CsnnTolerances.OneStep, 340);
        yield return Steps("one step, every map's BMU (D-BMU) and masks by h (NH), 3 maps, sigma 1.5",
            input with { Maps = 3, AllBmus = true, MaskNeighbourhood = true, Sigma = 1.5 }, 2, 1, CsnnTolerances.OneStep, 350);
        yield return Steps("5-step trajectory, input masks, batch of 1", input, 1, 5, CsnnTolerances.Trajectory, 360);
        var same = input with { Height = 8, Width = 6, Padding = 0, PaddingAfter = 1 };
        yield return Forward("forward, TensorFlow's 'same' at stride 2 on 8x6 (0 padding before, 1 after: 4x3 positions)", same, 2, 305);
        yield return Steps("one step, 'same' at stride 2 (0 before, 1 after)", same, 2, 1, CsnnTolerances.OneStep, 335);
        yield return Steps("5-step trajectory, masks between layers, eq. 12 gamma 0.8, 2 maps", between with { Maps = 2, Gamma = 0.8 }, 2, 5, CsnnTolerances.Trajectory, 370);
        yield return Forward("forward, masks between layers with the authors' code's pairing (eq. 9)", between with { CodePairing = true }, 2, 315);
        yield return Steps("5-step trajectory, the authors' code's pairing of masks between layers", between with { CodePairing = true, Maps = 2 }, 1, 5, CsnnTolerances.Trajectory, 375);
        yield return Block("block (section III-F): scores, batch norm, 2x2 max pool 'same' of a 4x5 output", input with { Pool = 2 }, 3, 390);
        yield return Block("block: masks between layers, no pooling, the authors' code's normalization", between, 2, 395, CsnnNormalization.AuthorsCode(between.OutChannels));
        yield return Block("block: 3x3 max pool 'same' of a 7x7 output (one padded row and column on each side)", between with { Height = 7, Width = 7, Pool = 3 }, 2, 396);
        yield return NoiseMasks("noise masks (Table I's NO): masks U(-1, 1) written before each of 3 steps, 2 maps", input, 3, 410);
        yield return NoiseMasks("noise masks between layers, 3 steps", between, 3, 420);
        var wide = new CsnnOptions { Height = 4, Width = 4, Channels = 160, Kernel = 3, Padding = 1, GridRows = 5, GridCols = 5, Maps = 2, MaskKind = CsnnMaskKind.BetweenLayers };
        yield return Steps("3-step trajectory as wide as the cpu layer splits its sums and masks into slices for its threads: masks between layers over 160 channels, 5x5 grids", wide, 2, 3, CsnnTolerances.Trajectory, 430);
        yield return Steps("3-step trajectory as wide, eq. 13", wide with { MaskRule = CsnnMaskRule.EarlierMasks, Gamma = 0.5 }, 2, 3, CsnnTolerances.Trajectory, 440);
        yield return Steps("3-step trajectory as wide as the cpu layer's eq. 6 runs in blocks of weight rows and slices of columns: 160 channels, a 7x7 grid, 4 images of 6x6",
            wide with { Height = 6, Width = 6, GridRows = 7, GridCols = 7, Maps = 1 }, 4, 3, CsnnTolerances.Trajectory, 450);
        yield return LayerWise("two layers trained layer-wise, the second on the first's blocks", 400);
        yield return new("csnn", "exact ties: lowest neuron, then lowest map, wins", (r, e) => Ties(r, e));
        yield return new("csnn", "bad input is refused, state kept", (r, e) => BadInput(r, e));
    }

    /// <summary>
    /// A 1x1 image of 4 channels in {0, 1}, masks of ones and weights in multiples of 1/4, so every score is exact in
    /// float32: neurons 1 and 2 of map 0 tie for best, and map 1's best ties with map 0's. The BMU is neuron 1 of map 0
    /// (lowest neuron, then lowest map); both engines must move the same rows.
    /// </summary>
    static IEnumerable<Comparison> Ties(IEngine reference, IEngine engine)
    {
        var o = new CsnnOptions { Height = 1, Width = 1, Channels = 4, Kernel = 1, Padding = 0, GridRows = 1, GridCols = 3, Maps = 2, Sigma = 0.5 };
        float[] strong = [0.5f, 0.25f, 0f, 0.75f], weak = [0.25f, 0f, 0f, 0.25f];
        Matrix W(params float[][] rows) => new(3, 4, [.. rows.SelectMany(x => x)]);
        Matrix[] w = [W(weak, strong, strong), W(strong, weak, weak)];
        Matrix[] m = [new Matrix(3, 4, [.. Enumerable.Repeat(1f, 12)]), new Matrix(3, 4, [.. Enumerable.Repeat(1f, 12)])];
        var x = new Matrix(1, 4, [1f, 1f, 0f, 1f]);
        using var a = reference.CreateCsnn(o, w, m);
        using var b = engine.CreateCsnn(o, w, m);
        var values = new CsnnStep(0.1, 0.05);
        a.Step(x, values);
        b.Step(x, values);
        var list = States("exact ties", a, b, CsnnTolerances.OneStep).ToList();
        // Map 1 lost (its best only tied map 0's): its masks are as they were.
        var kept = Compare.Matrices("csnn", "exact ties: the losing map's masks kept", m[1], a.ReadMasks(1), Tolerances.Exact);
        var moved = a.ReadMasks(0)[1, 0] != 1f && a.ReadMasks(0)[0, 0] == 1f && a.ReadMasks(0)[2, 0] == 1f;
        list.Add(kept);
        list.Add(new("csnn", "exact ties: only neuron 1 of map 0 moved its mask", 0, 0, moved, moved ? "" : "the reference moved another mask"));
        return list;
    }

    /// <summary>Each kind of bad input is refused with an ArgumentException naming it, by both engines, state kept.</summary>
    static IEnumerable<Comparison> BadInput(IEngine reference, IEngine engine)
    {
        var o = new CsnnOptions { Height = 4, Width = 4, Channels = 1, Kernel = 3, GridRows = 2, GridCols = 2, Maps = 1 };
        var (w, m) = Initial(o, 380);
        var nan = Images(o, 1, 381); nan[0, 3] = float.NaN;
        (string What, string Names, Action<ICsnnLayer> Act)[] bad =
        [
            ("images of the wrong size", "images", l => l.Step(new Matrix(1, 15), new CsnnStep(0.1, 0.005))),
            ("images with NaN", "images", l => l.Step(nan, new CsnnStep(0.1, 0.005))),
            ("a negative SOM rate", "SomRate", l => l.Step(Images(o, 1, 382), new CsnnStep(-0.1, 0.005))),
            ("an infinite mask rate", "MaskRate", l => l.Step(Images(o, 1, 382), new CsnnStep(0.1, double.PositiveInfinity))),
            ("a map out of range", "map", l => l.ReadMasks(1)),
            ("masks written to a map out of range", "map", l => l.WriteMasks(1, m[0])),
            ("masks of the wrong shape written", "masks", l => l.WriteMasks(0, new Matrix(o.Neurons, o.MaskSize + 1))),
            ("masks with NaN written", "masks", l => l.WriteMasks(0, new Matrix(o.Neurons, o.MaskSize, [.. Enumerable.Repeat(float.NaN, o.Neurons * o.MaskSize)]))),
        ];
        foreach (var eng in new[] { reference, engine })
        {
            using var layer = eng.CreateCsnn(o, w, m);
            foreach (var (what, names, act) in bad)
            {
                string outcome = Refusal.Of<ArgumentException>(() => act(layer), names, "accepted");
                var kept = Compare.Matrices("csnn", what, w[0], layer.ReadWeights(0), Tolerances.Exact);
                var keptMasks = Compare.Matrices("csnn", what, m[0], layer.ReadMasks(0), Tolerances.Exact);
                yield return kept with { Case = $"bad input ({what}) on {eng.Name}", Pass = kept.Pass && keptMasks.Pass && outcome == "", Detail = outcome + kept.Detail + keptMasks.Detail };
            }
            foreach (var (option, bent) in new (string, CsnnOptions)[] { ("Sigma", o with { Sigma = 0 }), ("Gamma", o with { Gamma = 1.5 }), ("Maps", o with { Maps = 0 }) })
            {
                string opt = Refusal.Of<ArgumentOutOfRangeException>(() => eng.CreateCsnn(bent, w, m).Dispose(), option, $"{option} out of range accepted");
                yield return new("csnn", $"bad option ({option}) on {eng.Name}", 0, 0, opt == "", opt);
            }
            string shape = Refusal.Of<ArgumentException>(() => eng.CreateCsnn(o, [Uniform(4, 8, 1)], m).Dispose(), "weights[0]", "weights of the wrong shape accepted");
            yield return new("csnn", $"bad initial weights on {eng.Name}", 0, 0, shape == "", shape);
        }
    }
}

using Hebb.Accelerated.Backends.Cpu;
using Hebb.Checks;
using Hebb.Contracts;
using Hebb.Data;
using Hebb.Reference;
using Xunit;

namespace Hebb.Tests.Integration;

/// <summary><c>hebb check</c>: outside implementations held to the reference. The peers in bench/peers (a NumPy and a
/// PyTorch port of Krotov &amp; Hopfield's update, a NumPy NNL-CONV) pass; each deliberate mistake of the kinds people make
/// is caught and named; a near-tie read the other way passes as such; bad states are refused by name.</summary>
public class CheckTests
{
    static string Replay => Path.Combine(Fixtures.RepoRoot(), "bench", "peers", "check_replay.py");

    static (int Code, string Out) Peer(string caseDir, string outFile, params string[] extra)
    {
        var (code, stdout, stderr) = Fixtures.Run(PythonFactAttribute.With("numpy")!, null, [Replay, caseDir, outFile, .. extra]);
        Assert.True(code == 0, stdout + stderr);
        var (c, o, e) = Fixtures.Hebb(Path.GetDirectoryName(caseDir)!, "check", "compare", RuleOf(caseDir), caseDir, outFile);
        Assert.True(e == "", e);
        return (c, o);
    }

    static string RuleOf(string caseDir) => (string)System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(caseDir, "case.json")))!["rule"]!;

    static string Export(string root, string name, params string[] args)
    {
        string dir = Path.Combine(root, name);
        var (code, stdout, stderr) = Fixtures.Hebb(root, ["check", "export", .. args, "--out", dir]);
        Assert.True(code == 0, stdout + stderr);
        foreach (var f in new[] { "case.json", "README.md", "initial.weights.npy", "inputs.npy", "reference.weights.npy" })
            Assert.True(File.Exists(Path.Combine(dir, f)), $"{f} missing");
        return dir;
    }

    [PythonFact("numpy")]
    public void KrotovNumPyPortPassesAndEachMistakeIsNamed()
    {
        string root = Fixtures.TempDir(), c = Export(root, "case", "krotov");
        var (code, stdout) = Peer(c, Path.Combine(root, "ok.npy"));
        Assert.True(code == 0, stdout);
        Assert.Contains("VERDICT: yours matches code", stdout);
        foreach (var (bug, named) in new[]
        {
            ("no-decay", "the decay term -<W, v> W of eq. 2 is missing"),
            ("samples-ranked", "the ranking is taken over the wrong axis"),
            ("k-plus-one", "k is off by one: yours pushes away the 8th-ranked unit, the rule the 7th"),
            ("lr-first", "the learning rate applied before the division by the largest |element|, which cancels it"),
            ("delta-sign", "the anti-Hebbian term has the wrong sign"),
            ("no-metric", "the currents are the plain dot product W v"),
            ("constant-lr", "the learning rate is not falling as the linear schedule does"),
        })
        {
            (code, stdout) = Peer(c, Path.Combine(root, bug + ".npy"), "--bug", bug);
            Assert.True(code == 1, $"{bug}: exit {code}\n{stdout}");
            Assert.Contains("VERDICT: yours departs from every variant", stdout);
            Assert.Contains("explained: ", stdout);
            Assert.Contains(named, stdout);
            Assert.Equal(1, stdout.Split('\n').Count(l => l.StartsWith("explained: ")));
        }
        // The paper's variant: the port with variant paper matches it.
        string paper = Export(root, "paper", "krotov", "--variant", "paper");
        (code, stdout) = Peer(paper, Path.Combine(root, "paper.npy"));
        Assert.True(code == 0, stdout);
        Assert.Contains("VERDICT: yours matches paper", stdout);
    }

    [PythonFact("numpy", "torch")]
    public void KrotovTorchPeerMatchesTheAuthorsCodeVariant()
    {
        string root = Fixtures.TempDir(), c = Export(root, "case", "krotov", "--units", "30", "--k", "5", "--p", "4.5");
        var (code, stdout, stderr) = Fixtures.Run(PythonFactAttribute.With("numpy", "torch")!, null, [Replay, c, Path.Combine(root, "torch.npy"), "--impl", "torch"]);
        Assert.True(code == 0, stdout + stderr);
        (code, stdout, stderr) = Fixtures.Hebb(root, "check", "compare", "krotov", c, Path.Combine(root, "torch.npy"));
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("VERDICT: yours matches code", stdout);
        // Against a case of the paper's variant, the torch peer (the authors' code) is named as that, not as the case's.
        string paper = Export(root, "paper", "krotov", "--variant", "paper");
        Fixtures.Run(PythonFactAttribute.With("numpy", "torch")!, null, [Replay, paper, Path.Combine(root, "torch-paper.npy"), "--impl", "torch"]);
        (code, stdout, _) = Fixtures.Hebb(root, "check", "compare", "krotov", paper, Path.Combine(root, "torch-paper.npy"));
        Assert.True(code == 0, stdout);
        Assert.Contains("VERDICT: yours matches code (the authors' code: summed over the minibatch, divided by its largest |element|) at every step, not the case's variant paper", stdout);
    }

    [PythonFact("numpy")]
    public void NnlConvNumPyPeerPassesAndEachMistakeIsNamed()
    {
        string root = Fixtures.TempDir(), c = Export(root, "case", "nnl-conv");
        var (code, stdout) = Peer(c, Path.Combine(root, "ok.npy"));
        Assert.True(code == 0, stdout);
        Assert.Contains("VERDICT: yours matches paper", stdout);
        foreach (var (bug, named) in new[]
        {
            ("no-normalize", "the patches are not normalized to unit vectors"),
            ("hwc", "your patch vectors are flattened height-width-channel"),
            ("no-decay", "the decay term -<W, v> W of eq. 2 is missing"),
            ("k-plus-one", "m is off by one: yours pushes away the 3rd-ranked filter"),
        })
        {
            (code, stdout) = Peer(c, Path.Combine(root, bug + ".npy"), "--bug", bug);
            Assert.True(code == 1, $"{bug}: exit {code}\n{stdout}");
            Assert.Contains(named, stdout);
        }
        string code2 = Export(root, "code", "nnl-conv", "--variant", "code");
        (code, stdout) = Peer(code2, Path.Combine(root, "code-ok.npy"));
        Assert.True(code == 0, stdout);
        (code, stdout) = Peer(code2, Path.Combine(root, "code-lr.npy"), "--bug", "lr-first");
        Assert.True(code == 1, stdout);
        Assert.Contains("the learning rate applied before the division", stdout);
    }

    /// <summary>The accelerated cpu engine (float32) is an outside implementation too: its trajectory, saved one file per
    /// step, matches. And an implementation that breaks exact ties towards the higher index (the reference's rule run on
    /// the units in reverse order) departs from the reference's trajectory, yet passes, each flip reported as a near-tie.</summary>
    [Fact]
    public void FloatEngineMatchesAndTiesReadTheOtherWayPass()
    {
        string root = Fixtures.TempDir();
        const int units = 12, inputs = 16;
        var rng = new Random(3);
        var w0 = new Matrix(units, inputs);
        for (int i = 0; i < w0.Data.Length; i++) w0.Data[i] = (float)(rng.NextDouble() * 2 - 1);
        for (int i = 0; i < inputs; i++) w0[0, i] = w0[1, i] = 2f + (float)rng.NextDouble();   // units 0 and 1: equal, and first for every input
        string init = Path.Combine(root, "w0.npy");
        Npy.Write(init, w0);
        string dir = Export(root, "case", "krotov", "--units", $"{units}", "--inputs", $"{inputs}", "--batch", "4", "--steps", "6", "--k", "3", "--init", init);
        var c = CheckCase.Load(dir);

        // The cpu engine, one file per step.
        string engineDir = Path.Combine(root, "engine");
        Directory.CreateDirectory(engineDir);
        using (var layer = new CpuEngine(new ManagedGemm()).CreateKrotov(new KrotovOptions { Units = units, Inputs = inputs, RankK = 3 }.Validate(), w0))
            for (int t = 0; t < c.Count; t++)
            {
                var x = c.Inputs.Item(t);
                layer.Step(new Matrix(x.Shape[0], x.Shape[1], x.Data.Select(v => (float)v).ToArray()), (double)c.Steps[t]["lr"]!);
                Npy.Write(Path.Combine(engineDir, $"step-{t + 1:D4}.weights.npy"), layer.ReadWeights());
            }
        var (code, stdout, stderr) = Fixtures.Hebb(root, "check", "compare", "krotov", dir, engineDir);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("VERDICT: yours matches code", stdout);

        // Ties towards the higher index: the reference's step on the units in reverse order, reversed back.
        var states = new List<NdArray>();
        var w = KrotovCheck.ToArray2D(c.Initial["weights"]);
        for (int t = 0; t < c.Count; t++)
        {
            var x = c.Inputs.Item(t);
            var batch = Enumerable.Range(0, x.Shape[0]).Select(b => x.Data.AsSpan(b * inputs, inputs).ToArray()).ToArray();
            var reversed = Reverse(Krotov.fastStep(Krotov.Variant.NewAuthorsCode(1e-30), 3, 1, 3, 0.4, (double)c.Steps[t]["lr"]!, Reverse(w), batch));
            states.Add(new NdArray([units, inputs], reversed.Cast<double>().ToArray()));
            w = reversed;
        }
        string tied = Path.Combine(root, "tied.npy");
        Npy.WriteArray(tied, NdArray.Stack(states));
        (code, stdout, stderr) = Fixtures.Hebb(root, "check", "compare", "krotov", dir, tied);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("near-tie, step 1: sample 0's units 0 and 1 (ranked 1st and 2nd by the reference)", stdout);
        Assert.Contains("A near-tie read the other way, not a bug.", stdout);
        Assert.Contains("VERDICT: yours matches code", stdout);
    }

    static double[,] Reverse(double[,] w)
    {
        int k = w.GetLength(0), n = w.GetLength(1);
        var r = new double[k, n];
        for (int mu = 0; mu < k; mu++) for (int i = 0; i < n; i++) r[mu, i] = w[k - 1 - mu, i];
        return r;
    }

    [Fact]
    public void BadStatesAreRefusedByName()
    {
        string root = Fixtures.TempDir(), dir = Export(root, "case", "krotov", "--units", "5", "--inputs", "6", "--steps", "3", "--batch", "2", "--k", "2");
        var reference = Npy.ReadArray(Path.Combine(dir, "reference.weights.npy"));
        string Write(string name, NdArray a, bool f32 = true) { string p = Path.Combine(root, name); Npy.WriteArray(p, a, f32); return p; }

        Fixtures.Refused(root, "2 steps; the case has 3", "check", "compare", "krotov", dir,
            Write("short.npy", NdArray.Stack([reference.Item(0), reference.Item(1)])));
        Fixtures.Refused(root, "shape (3, 6, 5); the states of 'weights' stacked over the steps are (3, 5, 6)", "check", "compare", "krotov", dir,
            Write("shape.npy", new NdArray([3, 6, 5], reference.Data)));
        var nan = new NdArray(reference.Shape, (double[])reference.Data.Clone());
        nan.Data[5 * 6 + 7] = double.NaN;
        Fixtures.Refused(root, "the state 'weights' after step 2 holds NaN at [1, 1]; every value must be finite", "check", "compare", "krotov", dir, Write("nan.npy", nan));
        string ints = Write("int.npy", reference);
        File.WriteAllBytes(ints, System.Text.Encoding.Latin1.GetBytes(System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(ints)).Replace("'<f4'", "'<i4'")));
        var (code, _, err) = Fixtures.Hebb(root, "check", "compare", "krotov", dir, ints);
        Assert.True(code == 3, err);
        Assert.Contains("dtype is '<i4'; '<f4' (float32) or '<f8' (float64), little-endian, is required", err);
        Fixtures.Refused(root, "not a check case (no case.json)", "check", "compare", "krotov", root, ints);
        Fixtures.Refused(root, "a case of krotov, not nnl-conv", "check", "compare", "nnl-conv", dir, ints);
        Fixtures.Refused(root, "no such file or folder", "check", "compare", "krotov", dir, Path.Combine(root, "none.npy"));
        Fixtures.Refused(root, "no such rule", "check", "export", "hopfield", "--out", Path.Combine(root, "x"));
        Fixtures.Refused(root, "the folder holds files and is not a check case", "check", "export", "krotov", "--out", Path.GetDirectoryName(ints)!);
        Fixtures.Refused(root, "--k 9: must be at most --units 5", "check", "export", "krotov", "--units", "5", "--k", "9", "--out", Path.Combine(root, "y"));
        Assert.False(Directory.Exists(Path.Combine(root, "y")));
        // The initial state saved first is taken as such; a full, correct trajectory of the reference's own matches.
        var withInitial = NdArray.Stack([Npy.ReadArray(Path.Combine(dir, "initial.weights.npy")), reference.Item(0), reference.Item(1), reference.Item(2)]);
        (code, var stdout, err) = Fixtures.Hebb(root, "check", "compare", "krotov", dir, Write("with-initial.npy", withInitial, f32: false));
        Assert.True(code == 0, stdout + err);
    }
}

/// <summary>The check's decomposition of the fast rule into its terms, with no mistake made, is the reference's step.</summary>
public class KrotovTermsTests
{
    [Fact]
    public void TermsWithoutMistakesAreTheReferenceStep()
    {
        var rng = new Random(5);
        foreach (var p in new[] { 2.0, 3.0, 4.5 })
            foreach (var variant in new[] { "paper", "code" })
            {
                var w = new double[9, 11];
                for (int i = 0; i < 9; i++) for (int j = 0; j < 11; j++) w[i, j] = rng.NextDouble() * 2 - 1;
                var batch = Enumerable.Range(0, 5).Select(_ => Enumerable.Range(0, 11).Select(_ => rng.NextDouble()).ToArray()).ToArray();
                var before = new Dictionary<string, NdArray> { ["weights"] = new NdArray([9, 11], w.Cast<double>().ToArray()) };
                var terms = new KrotovTerms(w, batch, p, 1.0, 3, 0.4);
                var ours = KrotovDiagnosis.Step(terms, before, variant, 0.05, 1e-30)["weights"].Data;
                var reference = Krotov.fastStep(variant == "paper" ? Krotov.Variant.Paper : Krotov.Variant.NewAuthorsCode(1e-30), p, 1.0, 3, 0.4, 0.05, w, batch).Cast<double>().ToArray();
                for (int i = 0; i < ours.Length; i++) Assert.True(Math.Abs(ours[i] - reference[i]) <= 1e-12, $"p={p} {variant}: element {i}: {ours[i]} vs {reference[i]}");
            }
    }
}

/// <summary><c>hebb check</c> for CSNN: the PyTorch layer of bench/peers passes and each of its deliberate mistakes is
/// named by the term it breaks; the accelerated cpu engine (float32) passes on masks between layers with every option,
/// and with the authors' pairing it is named as that variant.</summary>
public class CsnnCheckTests
{
    static string Replay => Path.Combine(Fixtures.RepoRoot(), "bench", "peers", "check_replay.py");

    [PythonFact("numpy", "torch")]
    public void TorchPeerPassesAndEachMistakeIsNamed()
    {
        string root = Fixtures.TempDir(), dir = Path.Combine(root, "case");
        Assert.Equal(0, Fixtures.Hebb(root, "check", "export", "csnn", "--out", dir).Code);
        var python = PythonFactAttribute.With("numpy", "torch")!;
        foreach (var (bug, named) in new[]
        {
            ("", "VERDICT: yours matches paper"),
            ("masked-learning", "weights: explained: the weights learn from the masked patch p o m_i"),
            ("no-renormalize", "weights: explained: eq. 5's renormalization is missing"),
            ("hood-without-2", "weights: explained: the neighbourhood is exp(-d^2 / sigma^2)"),
            ("gamma-0", "masks: explained: the masks' input is not modified by the masks (gamma = 0)"),
            ("unmasked-bmu", "weights: explained: the BMU is chosen by the unmasked score"),
        })
        {
            string theirs = Path.Combine(root, "torch" + bug);
            var (code, stdout, stderr) = Fixtures.Run(python, null, bug == "" ? [Replay, dir, theirs, "--impl", "torch"] : [Replay, dir, theirs, "--impl", "torch", "--bug", bug]);
            Assert.True(code == 0, stdout + stderr);
            (code, stdout, stderr) = Fixtures.Hebb(root, "check", "compare", "csnn", dir, theirs);
            Assert.True(code == (bug == "" ? 0 : 1), $"{bug}: exit {code}\n{stdout}{stderr}");
            Assert.Contains(named, stdout);
        }
    }

    [Fact]
    public void FloatEngineMatchesMasksBetweenLayersAndTheAuthorsPairingIsNamed()
    {
        string root = Fixtures.TempDir();
        foreach (bool codePairing in new[] { false, true })
        {
            string dir = Path.Combine(root, $"case{codePairing}");
            var (code, stdout, stderr) = Fixtures.Hebb(root, "check", "export", "csnn", "--out", dir, "--masks", "between", "--channels", "4", "--rule", "13",
                "--gamma", "0.5", "--all-bmus", "--mask-nh", "--grid", "3x2x2", "--steps", "4", "--batch", "2", "--stride", "2");
            Assert.True(code == 0, stdout + stderr);
            var c = CheckCase.Load(dir);
            var o = new CsnnOptions
            {
                Height = 6, Width = 6, Channels = 4, Kernel = 3, Stride = 2, Padding = 1, GridRows = 3, GridCols = 2, Maps = 2, MaskKind = CsnnMaskKind.BetweenLayers,
                MaskRule = CsnnMaskRule.EarlierMasks, Gamma = 0.5, Sigma = 1, AllBmus = true, MaskNeighbourhood = true, CodePairing = codePairing,
            };
            Matrix M(string name) { var a = c.Initial[name]; return new Matrix(a.Shape[0], a.Shape[1], a.Data.Select(v => (float)v).ToArray()); }
            string theirs = Path.Combine(root, $"engine{codePairing}");
            Directory.CreateDirectory(theirs);
            using (var layer = new CpuEngine(new ManagedGemm()).CreateCsnn(o, [M("weights/0"), M("weights/1")], [M("masks/0"), M("masks/1")]))
                for (int t = 0; t < c.Count; t++)
                {
                    var x = c.Inputs.Item(t);
                    layer.Step(new Matrix(x.Shape[0], x.Data.Length / x.Shape[0], x.Data.Select(v => (float)v).ToArray()), new CsnnStep((double)c.Steps[t]["lr"]!, (double)c.Steps[t]["mask_lr"]!));
                    foreach (var (name, value) in layer.ReadState())
                        Npy.Write(Path.Combine(theirs, $"step-{t + 1:D4}.{name.Replace('/', '.')}.npy"), value.AsMatrix());
                }
            (code, stdout, stderr) = Fixtures.Hebb(root, "check", "compare", "csnn", dir, theirs);
            Assert.True(code == 0, stdout + stderr);
            Assert.Contains(codePairing ? "VERDICT: yours matches code (the authors' code's pairing of eq. 9" : "VERDICT: yours matches paper", stdout);
        }
    }
}

/// <summary>The check's composition of CSNN's step from the reference's functions, with no mistake made, is the
/// reference's <c>Csnn.step</c>, for both mask kinds, both rules and every option.</summary>
public class CsnnTermsTests
{
    [Fact]
    public void TermsWithoutMistakesAreTheReferenceStep()
    {
        var rng = new Random(9);
        foreach (var (masks, rule, allBmus, nh, pairing) in new[] { ("input", "12", false, false, "paper"), ("input", "13", true, true, "paper"), ("between", "12", false, true, "paper"), ("between", "13", true, false, "code") })
        {
            var o = new CsnnSettings(5, 5, 2, 3, 1, 1, 2, 3, 2, masks, rule, 0.7, 1.2, allBmus, nh, pairing, 2);
            var before = new Dictionary<string, NdArray>();
            for (int h = 0; h < o.Maps; h++)
            {
                before[$"weights/{h}"] = new NdArray([6, o.PatchSize], Enumerable.Range(0, 6 * o.PatchSize).Select(_ => rng.NextDouble() * 2 - 1).ToArray());
                before[$"masks/{h}"] = new NdArray([6, o.MaskSize], Enumerable.Range(0, 6 * o.MaskSize).Select(_ => rng.NextDouble() * 2 - 1).ToArray());
            }
            var images = new NdArray([2, 2, 5, 5], Enumerable.Range(0, 100).Select(_ => rng.NextDouble()).ToArray());
            var terms = new CsnnTerms(o);
            var ours = terms.Step(before, images, 0.1, 0.05);
            var reference = terms.ReferenceStep(before, images, 0.1, 0.05);
            foreach (var (name, value) in reference)
                for (int i = 0; i < value.Data.Length; i++)
                    Assert.True(Math.Abs(ours[name].Data[i] - value.Data[i]) <= 1e-12, $"{masks} eq. {rule}: {name}[{i}] {ours[name].Data[i]} vs {value.Data[i]}");
        }
    }
}

/// <summary>CSNN's near-ties: with two identical maps every patch's best map is a tie, which the reference gives to
/// the lower map; an implementation that gives it to the higher one departs at step 1 and passes, each patch's flip
/// reported as a near-tie.</summary>
public class CsnnNearTieTests
{
    [Fact]
    public void TiedMapsReadTheOtherWayPass()
    {
        string root = Fixtures.TempDir(), dir = Path.Combine(root, "case");
        Assert.Equal(0, Fixtures.Hebb(root, "check", "export", "csnn", "--out", Path.Combine(root, "tmp"), "--steps", "3", "--height", "4", "--width", "4").Code);
        var check = RuleChecks.Find("csnn")!;
        var c0 = CheckCase.Load(Path.Combine(root, "tmp"));
        var initial = c0.Initial.ToDictionary(kv => kv.Key, kv => kv.Value);
        initial["weights/1"] = initial["weights/0"];
        initial["masks/1"] = initial["masks/0"];
        var c = new CheckCase { Rule = c0.Rule, Options = c0.Options, StateNames = c0.StateNames, Initial = initial, Inputs = c0.Inputs, Steps = c0.Steps, Reference = [] };
        c = c.WithReference(check.Variants(c)[0]);
        c.Save(dir, check.Readme(c));
        var step = check.Variants(c)[0].Step;
        var theirs = new List<IReadOnlyDictionary<string, NdArray>>();
        var first = step(c.Initial, 0);
        theirs.Add(new Dictionary<string, NdArray> { ["weights/0"] = first["weights/1"], ["masks/0"] = first["masks/1"], ["weights/1"] = first["weights/0"], ["masks/1"] = first["masks/0"] });
        for (int t = 1; t < c.Count; t++) theirs.Add(step(theirs[^1], t));
        string th = Path.Combine(root, "theirs");
        Directory.CreateDirectory(th);
        foreach (var name in c.StateNames) Npy.WriteArray(Path.Combine(th, name.Replace('/', '.') + ".npy"), NdArray.Stack(theirs.Select(s => s[name]).ToList()));
        var (code, stdout, stderr) = Fixtures.Hebb(root, "check", "compare", "csnn", dir, th);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("near-tie, step 1: patch 0's best map: maps 0 and 1", stdout);
        Assert.Contains("A near-tie read the other way, not a bug.", stdout);
    }
}

using System.Collections.Concurrent;
using Hebb.Contracts;
using Hebb.Data;
using Hebb.Evaluation;
using Hebb.Reference;
using Hebb.Verification;
using Xunit;

namespace Hebb.Tests.Integration;

/// <summary>The peer scripts of bench/peers, where a Python with their modules is at hand.</summary>
public class PeerTests
{
    static string Script => Path.Combine(Fixtures.RepoRoot(), "bench", "peers", "conv_end_to_end.py");

    /// <summary>bench/peers/conv_end_to_end.py (the single block trained end to end, the control for NNL-CONV's
    /// results) computes its gradients by hand; its --check holds every parameter's gradient to central differences
    /// on a small network whose pooling windows overlap, and exits 1 on a mismatch.</summary>
    [PythonFact("numpy")]
    public void EndToEndPeerGradientsMatchFiniteDifferences()
    {
        var (code, stdout, stderr) = Fixtures.Run(PythonFactAttribute.With("numpy")!, null, [Script, "--check"]);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("gradient check: worst relative difference", stdout);
        Assert.Contains("(ok)", stdout);
    }

    /// <summary>The peer's torch engine (autograd, for a GPU and for several blocks) is the NumPy engine's network:
    /// its --compare starts both from the same numbers on a small padded block with overlapping pooling and holds
    /// losses and parameters after 5 Adam steps to float64 rounding; it exits 1 on a mismatch.</summary>
    [PythonFact("numpy", "torch")]
    public void EndToEndPeerTorchEngineFollowsTheNumpyEngine()
    {
        var (code, stdout, stderr) = Fixtures.Run(PythonFactAttribute.With("numpy", "torch")!, null, [Script, "--compare"]);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("torch against numpy, 5 steps", stdout);
        Assert.Contains("(ok)", stdout);
    }

    /// <summary>The peer's --shadow (the shadow test of section 5 for the end-to-end control) dims images as hebb's
    /// Shadow.Apply does: one rectangle per image, every channel times 0.3, the input untouched, and rectangles of
    /// the same sizes, equally often (the two draw from different generators, so the sizes are compared as
    /// distributions: the same set of sizes, and mean widths within 0.25 pixel over 2,000 images each, about five
    /// standard errors of their difference). The CLI then scores the shadowed test half beside the raw one.</summary>
    [PythonFact("numpy")]
    public void EndToEndPeerShadowsAsHebbDoes()
    {
        const int n = 2000;
        string code = "import sys, numpy as np; sys.path.insert(0, sys.argv[1]); from conv_end_to_end import shadow\n" +
                      $"x = np.ones(({n}, 3, 32, 32), np.float32); s = shadow(x, np.random.default_rng(4))\n" +
                      "assert (x == 1).all() and s.dtype == np.float32\n" +
                      "for img in s:\n" +
                      "    assert set(np.unique(img).tolist()) <= {1.0, np.float32(0.3).item()} and (img == img[0]).all()\n" +
                      "    ys, xs = np.nonzero(img[0] < 1); h, w = ys.max() - ys.min() + 1, xs.max() - xs.min() + 1\n" +
                      "    assert len(ys) == h * w, 'not one rectangle'\n" +
                      "    print(w, h)\n";
        var (exit, stdout, stderr) = Fixtures.Run(PythonFactAttribute.With("numpy")!, null,
            ["-c", code, Path.GetDirectoryName(Script)!]);
        Assert.True(exit == 0, stdout + stderr);
        var peer = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ')).Select(p => (W: int.Parse(p[0]), H: int.Parse(p[1]))).ToArray();
        Assert.Equal(n, peer.Length);

        var ones = new Matrix(n, 3 * 32 * 32);
        Array.Fill(ones.Data, 1f);
        var dimmed = Shadow.Apply(ones, 32, 32, 3, new Random(4));
        var hebb = Enumerable.Range(0, n).Select(r =>
        {
            var plane = dimmed.Row(r)[..(32 * 32)].ToArray();
            var cells = Enumerable.Range(0, plane.Length).Where(i => plane[i] < 1).ToArray();
            return (W: cells.Max(i => i % 32) - cells.Min(i => i % 32) + 1, H: cells.Max(i => i / 32) - cells.Min(i => i / 32) + 1);
        }).ToArray();

        Assert.Equal(hebb.Distinct().OrderBy(s => s).ToArray(), peer.Distinct().OrderBy(s => s).ToArray());
        Assert.InRange(peer.Average(s => s.W) - hebb.Average(s => s.W), -0.25, 0.25);

        string root = Fixtures.TempDir();
        Fixtures.WriteTinyCifar(root);
        (exit, stdout, stderr) = Fixtures.Run(PythonFactAttribute.With("numpy")!, null,
            [Script, "--data", root, "--epochs", "1", "--batch", "16", "--filters", "6", "--shadow"]);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Matches(@"epoch 1\.00: loss [0-9.]+, validation [0-9.]+%, test [0-9.]+%, shadowed test [0-9.]+%", stdout);
        Assert.Matches(@"test error [0-9.]+% \(shadowed: [0-9.]+%\) at epoch", stdout);
    }

    /// <summary>--save writes the end-to-end filters as a run folder that hebb eval judges in the NNL-CONV layer.</summary>
    [PythonFact("numpy")]
    public void EndToEndFiltersAreARunThatHebbEvaluates()
    {
        string root = Fixtures.TempDir(), run = Path.Combine(root, "e2e");
        Fixtures.WriteTinyCifar(root);
        var (code, stdout, stderr) = Fixtures.Run(PythonFactAttribute.With("numpy")!, null,
            [Script, "--data", root, "--epochs", "1", "--batch", "16", "--filters", "6", "--padding", "3", "--save", run]);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("W = 4, K = 6, padding 3, pool 11/6 (150 features)", stdout);
        var w = Hebb.Data.Npy.Read(Path.Combine(run, "weights.npy"));
        Assert.Equal((6, 48), (w.Rows, w.Cols));
        (code, stdout, stderr) = Fixtures.Hebb(root, "eval", run, "--data", root, "--epochs", "2", "--batch", "16", "--padding", "3",
            "--pool-stride", "6", "--out", Path.Combine(root, "eval"));
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("NNL-CONV (W = 4, K = 6, patch-normalized, n = 40, padding 3, pool 11/6)", File.ReadAllText(Path.Combine(root, "eval", "report.json")));
    }
}

/// <summary>bench/peers/blas_kernels.py, which the peers import before NumPy: OpenBLAS's kernels chosen by hebb's rule.</summary>
public class BlasKernelsPeerTests
{
    /// <summary>The peers' rule is hebb's (OpenBlasKernels.Replacement) on every combination of OpenBLAS's choice, the
    /// user's setting and the CPU's best kernels; the kernels the peers find best for this CPU (from /proc/cpuinfo)
    /// are those .NET finds (from its own instruction checks); and a peer's NumPy then runs kernels with AVX where
    /// the CPU has AVX2, unless the user set OPENBLAS_CORETYPE.</summary>
    [PythonFact("numpy")]
    public void ThePeersChooseOpenBlasKernelsAsHebbDoes()
    {
        string?[] chose = ["Prescott", "nehalem", "Haswell", "SkylakeX", "Zen", "SomeFutureCore", null], users = [null, "", "Haswell"], best = ["SkylakeX", "Haswell", null];
        var cases = (from c in chose from u in users from b in best select (c, u, b)).ToArray();
        static string Py(string? s) => s is null ? "None" : $"'{s}'";
        string code = "import sys; sys.path.insert(0, sys.argv[1]); import blas_kernels as k, numpy\n" +
                      "print(k.best(k._cpu_flags()))\n" +
                      string.Concat(cases.Select(x => $"print(k.replacement({Py(x.c)}, {Py(x.u)}, {Py(x.b)}))\n")) +
                      "print(k.apply())\n";
        var (exit, stdout, stderr) = Fixtures.Run(PythonFactAttribute.With("numpy")!, null,
            ["-c", code, Path.Combine(Fixtures.RepoRoot(), "bench", "peers")]);
        Assert.True(exit == 0, stdout + stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(cases.Length + 2, lines.Length);
        Assert.Equal(Hebb.Accelerated.Backends.Cpu.OpenBlasKernels.Best() ?? "None", lines[0]);
        for (int i = 0; i < cases.Length; i++)
            Assert.True((Hebb.Accelerated.Backends.Cpu.OpenBlasKernels.Replacement(cases[i].c, cases[i].u, cases[i].b) ?? "None") == lines[i + 1],
                $"case {cases[i]}: the peers say {lines[i + 1]}");
        string note = lines[^1];
        Assert.StartsWith("OpenBLAS: ", note);
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE")) && lines[0] != "None" && note.StartsWith("OpenBLAS: its own choice, "))
            Assert.Null(Hebb.Accelerated.Backends.Cpu.OpenBlasKernels.Replacement(note["OpenBLAS: its own choice, ".Length..], null, lines[0]));
    }
}

/// <summary>bench/peers/patch_filters.py: filters not learned by the local rule (spherical K-means, random patches), the
/// baselines for judging the rule's filters in the same NNL-CONV layer.</summary>
public class PatchFilterPeerTests
{
    static string Script => Path.Combine(Fixtures.RepoRoot(), "bench", "peers", "patch_filters.py");

    /// <summary>K-means's mean best cosine never falls between iterations, its centroids are unit rows that
    /// differ from one another, and its run folder is one that hebb eval judges; random patches are unit rows too.</summary>
    [PythonFact("numpy")]
    public void KMeansIsMonotoneAndItsFiltersAreARunThatHebbEvaluates()
    {
        string root = Fixtures.TempDir(), run = Path.Combine(root, "kmeans");
        Fixtures.WriteTinyCifar(root);
        var (code, stdout, stderr) = Fixtures.Run(PythonFactAttribute.With("numpy")!, null,
            [Script, "--method", "kmeans", "--data", root, "--filters", "8", "--patches", "3000", "--iterations", "6", "--out", run]);
        Assert.True(code == 0, stdout + stderr);
        var options = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(run, "options.json")))!;
        var history = options["mean_best_cosine"]!.AsArray().Select(v => (double)v!).ToArray();
        Assert.Equal(6, history.Length);
        for (int i = 1; i < history.Length; i++) Assert.True(history[i] >= history[i - 1] - 1e-12, $"iteration {i + 1}: {history[i]} < {history[i - 1]}");
        Assert.True(history[^1] > history[0], "K-means did not move its centroids");
        var w = Hebb.Data.Npy.Read(Path.Combine(run, "weights.npy"));
        Assert.Equal((8, 48), (w.Rows, w.Cols));
        for (int r = 0; r < w.Rows; r++)
        {
            double norm = Math.Sqrt(Enumerable.Range(0, w.Cols).Sum(c => (double)w[r, c] * w[r, c]));
            Assert.InRange(norm, 1 - 1e-5, 1 + 1e-5);
        }
        Assert.True(Enumerable.Range(1, w.Rows - 1).All(r => Enumerable.Range(0, w.Cols).Any(c => w[r, c] != w[0, c])), "duplicate centroids");
        (code, stdout, stderr) = Fixtures.Hebb(root, "eval", run, "--epochs", "2", "--batch", "16", "--pool-stride", "6",
            "--out", Path.Combine(root, "eval"));
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("NNL-CONV (W = 4, K = 8, patch-normalized, n = 40, pool 11/6)", File.ReadAllText(Path.Combine(root, "eval", "report.json")));

        (code, stdout, stderr) = Fixtures.Run(PythonFactAttribute.With("numpy")!, null,
            [Script, "--method", "random", "--data", root, "--filters", "5", "--window", "3", "--out", Path.Combine(root, "random")]);
        Assert.True(code == 0, stdout + stderr);
        var r5 = Hebb.Data.Npy.Read(Path.Combine(root, "random", "weights.npy"));
        Assert.Equal((5, 27), (r5.Rows, r5.Cols));
        (code, _, stderr) = Fixtures.Run(PythonFactAttribute.With("numpy")!, null,
            [Script, "--method", "kmeans", "--data", root, "--filters", "0", "--out", Path.Combine(root, "none")]);
        Assert.Equal(1, code);
        Assert.Contains("--filters 0: must be at least 1", stderr);
        Assert.False(Directory.Exists(Path.Combine(root, "none")));
    }
}

/// <summary>Skips the test, with the reason, where no python3 imports the modules (Debian: python3-numpy and
/// python3-torch, which .ci/run installs; /usr/bin/python3 is tried first, then python3 on PATH).</summary>
public sealed class PythonFactAttribute : FactAttribute
{
    static readonly ConcurrentDictionary<string, string?> Found = new();

    /// <summary>The python3 that imports every module named, or null.</summary>
    public static string? With(params string[] modules) =>
        Found.GetOrAdd(string.Join(",", modules), key =>
            new[] { "/usr/bin/python3", "python3" }.FirstOrDefault(p =>
            {
                try { return Fixtures.Run(p, null, ["-c", key.Length == 0 ? "pass" : "import " + key]).Code == 0; }
                catch (System.ComponentModel.Win32Exception) { return false; }   // not installed
            }));

    public PythonFactAttribute(params string[] modules)
    {
        if (With(modules) is null)
            Skip = $"no python3 that imports {string.Join(" and ", modules)} (/usr/bin/python3 or python3 on PATH): this peer check does not run here";
    }
}

/// <summary>bench/peers/nnl_conv_probe.py: `hebb eval --probe linear` on an NNL-CONV run written again in NumPy from the
/// paper (the layer and the softmax classifier with the pocket rule), to check hebb's evaluation apart from its code.</summary>
public class NnlConvProbePeerTests
{
    static string Script => Path.Combine(Fixtures.RepoRoot(), "bench", "peers", "nnl_conv_probe.py");

    /// <summary>On a run that hebb trains on tiny CIFAR files, the peer's features of the test images are the reference
    /// engine's NNL-CONV layer's (patch normalization, n = 4, one pooling window over the whole map; and the plain CONV
    /// layer, pool 11 / 9), its classifier learns the classes (their colour) well above chance, and a folder that is
    /// not a run is refused by name.</summary>
    [PythonFact("numpy")]
    public void PeerFeaturesAreTheReferenceLayersAndItsProbeLearns()
    {
        string root = Fixtures.TempDir(), run = Path.Combine(root, "run");
        Fixtures.WriteTinyCifar(root);
        Assert.Equal(0, Fixtures.Hebb(root, "train", "nnl-conv", "--data", root, "--filters", "8", "--epochs", "1", "--batch", "200", "--out", run).Code);
        var filters = Hebb.Data.Npy.Read(Path.Combine(run, "weights.npy"));
        var test = Hebb.Data.Datasets.Load("cifar10", root, train: false);
        var python = PythonFactAttribute.With("numpy")!;
        foreach (var (normalize, power, pool, stride) in new[] { ("on", 4.0, 29, 29), ("off", 1.0, 11, 9) })
        {
            string saved = Path.Combine(root, $"features-{normalize}.npy");
            var (code, stdout, stderr) = Fixtures.Run(python, null, [Script, run, "--data", root, "--n", $"{power}", "--normalize", normalize,
                "--pool-window", $"{pool}", "--pool-stride", $"{stride}", "--epochs", "40", "--batch", "16", "--save-features", saved]);
            Assert.True(code == 0, stdout + stderr);
            var o = new NnlConvOptions { Filters = 8, Window = 4, Power = power, PatchNormalization = normalize == "on", PoolWindow = pool, PoolStride = stride };
            using var layer = ((IEngine)new Hebb.Reference.ReferenceEngine()).CreateNnlConv(o, filters);
            var expected = layer.Forward(test.Images);
            var peer = Hebb.Data.Npy.Read(saved);
            Assert.Equal((expected.Rows, expected.Cols), (peer.Rows, peer.Cols));
            for (int i = 0; i < expected.Data.Length; i++)
                Assert.True(Math.Abs(peer.Data[i] - expected.Data[i]) <= 1e-5 + 1e-4 * Math.Abs(expected.Data[i]),
                    $"--normalize {normalize}: feature {i} is {peer.Data[i]} in the peer, {expected.Data[i]} in the reference");
            var error = System.Text.RegularExpressions.Regex.Match(stdout, @"test error ([0-9.]+)% at epoch");
            Assert.True(error.Success, stdout);
            if (normalize == "on") Assert.True(double.Parse(error.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) <= 30, stdout);
        }
        var (refusedCode, _, refused) = Fixtures.Run(python, null, [Script, root, "--data", root]);
        Assert.Equal(1, refusedCode);
        Assert.Contains("not a run folder with options.json and weights.npy", refused);
    }
}

/// <summary>bench/peers/csnn_torch.py, the PyTorch peer `hebb bench csnn` is timed against: it computes what hebb's
/// reference computes, so that the two are timed on the same work.</summary>
public class CsnnPeerTests
{
    static readonly string Script = Path.Combine(Fixtures.RepoRoot(), "bench", "peers", "csnn_torch.py");

    [PythonFact("numpy", "torch")]
    public void TheTorchPeerStepsAsTheReferenceDoes()
    {
        string dir = Fixtures.TempDir();
        var o = new CsnnOptions { Height = 8, Width = 8, Channels = 3, GridRows = 2, GridCols = 3, Maps = 2, Kernel = 3, Padding = 1 };
        var images = Seeded.Uniform(4, 3 * 8 * 8, 41, -1, 1);
        var w = Seeded.Uniform(o.Maps * o.Neurons, o.PatchSize, 42, -1, 1);
        var m = Seeded.Uniform(o.Maps * o.Neurons, o.PatchSize, 43, -1, 1);
        Npy.Write(Path.Combine(dir, "images.npy"), images);
        Npy.Write(Path.Combine(dir, "w.npy"), w);
        Npy.Write(Path.Combine(dir, "m.npy"), m);
        var (code, stdout, stderr) = Fixtures.Run(PythonFactAttribute.With("numpy", "torch")!, null, [Script, "--check", dir, "--grid", "2x3x2", "--threads", "1", "--mask-lr", "0.5"]);
        Assert.True(code == 0, stdout + stderr);
        Matrix Map(Matrix all, int h) => all.SliceRows(h * o.Neurons, o.Neurons);
        using var layer = new ReferenceEngine().CreateCsnn(o, [Map(w, 0), Map(w, 1)], [Map(m, 0), Map(m, 1)]);
        for (int b = 0; b < images.Rows; b++) layer.Step(images.SliceRows(b, 1), new CsnnStep(0.1, 0.5));   // a mask rate large enough that a wrong mask rule shows
        var wOut = Npy.Read(Path.Combine(dir, "w_out.npy"));
        var mOut = Npy.Read(Path.Combine(dir, "m_out.npy"));
        for (int h = 0; h < o.Maps; h++)
        {
            var cw = Compare.Matrices("csnn", $"peer weights, map {h}", layer.ReadWeights(h), Map(wOut, h), CsnnTolerances.Trajectory);
            var cm = Compare.Matrices("csnn", $"peer masks, map {h}", layer.ReadMasks(h), Map(mOut, h), CsnnTolerances.Trajectory);
            Assert.True(cw.Pass, cw.ToString());
            Assert.True(cm.Pass, cm.ToString());
        }
    }
}

/// <summary>scripts/reliability_sweep.py: 67 hostile and careless inputs against hebb (issue 33's count, docs/RELIABILITY.md);
/// none may crash, speak .NET instead of naming the option or file, pass silently or cost an earlier run.</summary>
public class ReliabilitySweepTests
{
    [PythonFact]
    public void NoInputCrashesIsUnclearPassesSilentlyOrLosesARun()
    {
        var (code, stdout, stderr) = Fixtures.Run(PythonFactAttribute.With()!, null,
            [Path.Combine(Fixtures.RepoRoot(), "scripts", "reliability_sweep.py"), Path.Combine(AppContext.BaseDirectory, "hebb.dll")]);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("unclear 0, ", stdout);
        Assert.Contains("crashed 0, silent 0, lost 0", stdout);
    }
}

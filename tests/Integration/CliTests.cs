using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Hebb.Data;
using Hebb.Runs;
using Xunit;

namespace Hebb.Tests.Integration;

/// <summary>The hebb command as a user runs it, on a tiny MNIST-format dataset the test writes.</summary>
public class CliTests
{
    [Fact]
    public void TrainThenEvalWritesARunFolderAndLearns()
    {
        string root = Fixtures.WriteMnistLike(Fixtures.TempDir(), "mnist", 600, 200);
        string run = Path.Combine(root, "run");
        var (code, output, err) = Fixtures.Hebb(root, "train", "krotov", "--data", root, "--units", "40", "--epochs", "3",
            "--batch", "50", "--k", "2", "--out", run, "--seed", "3");
        Assert.True(code == 0, output + err);
        foreach (var f in new[] { "options.json", "metrics.jsonl", "weights.npy", "filters.png", "sphere.png", "report.md" })
            Assert.True(File.Exists(Path.Combine(run, f)), f + " missing");
        Assert.Equal(3, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);
        Assert.Equal(40, (int)JsonNode.Parse(File.ReadAllText(Path.Combine(run, "options.json")))!["units"]!);

        (code, output, err) = Fixtures.Hebb(root, "eval", run, "--epochs", "15", "--n", "1");
        Assert.True(code == 0, output + err);
        var result = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "eval", "eval.json")))!;
        // Ten classes told apart by where their stroke is: far better than chance (90% error).
        Assert.True((double)result["test_error"]! < 0.5, $"test error {(double)result["test_error"]!}");
        // --out puts the top layer's report elsewhere, as it does for the other probes.
        string other = Path.Combine(root, "top-n2");
        (code, output, err) = Fixtures.Hebb(root, "eval", run, "--epochs", "2", "--n", "2", "--out", other);
        Assert.True(code == 0, output + err);
        Assert.Equal(2, (int)JsonNode.Parse(File.ReadAllText(Path.Combine(other, "eval.json")))!["n"]!);
        // --scale max divides h by its largest value on the training images: recorded, and the layer still learns.
        string scaled = Path.Combine(root, "top-scaled");
        (code, output, err) = Fixtures.Hebb(root, "eval", run, "--epochs", "15", "--n", "10", "--scale", "max", "--out", scaled);
        Assert.True(code == 0, output + err);
        var s = JsonNode.Parse(File.ReadAllText(Path.Combine(scaled, "eval.json")))!;
        Assert.Equal("max", (string)s["scale"]!);
        Assert.True((double)s["h_max"]! > 0);
        Assert.True((double)s["test_error"]! < 0.5, $"test error {(double)s["test_error"]!}");
        Assert.Contains("by which every h is divided (--scale max, not in the paper)", File.ReadAllText(Path.Combine(scaled, "report.md")));
    }

    [Fact]
    public void InitResumesFromGivenWeightsAndRefusesTheWrongShape()
    {
        string root = Fixtures.WriteMnistLike(Fixtures.TempDir(), "mnist", 100, 20);
        string first = Path.Combine(root, "first");
        Assert.Equal(0, Fixtures.Hebb(root, "train", "krotov", "--data", root, "--units", "10", "--epochs", "1", "--out", first, "--k", "2").Code);
        string err = Fixtures.Refused(root, "10x784", "train", "krotov", "--data", root, "--units", "12", "--epochs", "1",
            "--init", Path.Combine(first, "weights.npy"), "--out", Path.Combine(root, "second"));
        Assert.Contains("--units 12", err);
        Assert.Equal(0, Fixtures.Hebb(root, "train", "krotov", "--data", root, "--units", "10", "--epochs", "1", "--k", "2",
            "--init", Path.Combine(first, "weights.npy"), "--out", Path.Combine(root, "second"), "--engine", "reference", "--limit", "20").Code);
        // Initial weights that are not all finite are refused before the run folder is touched: the earlier run in
        // --out keeps its weights (issue 33: they were deleted first).
        var nan = Npy.Read(Path.Combine(first, "weights.npy"));
        nan[3, 5] = float.NaN;
        Npy.Write(Path.Combine(root, "nan.npy"), nan);
        byte[] before = File.ReadAllBytes(Path.Combine(first, "weights.npy"));
        Fixtures.Refused(root, "weights[3,5] = NaN; every initial weight must be finite", "train", "krotov", "--data", root, "--units", "10",
            "--epochs", "1", "--k", "2", "--init", Path.Combine(root, "nan.npy"), "--out", first);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(first, "weights.npy")));
    }

    [Theory]
    [InlineData("--p", "0.5", "P (the Lebesgue norm p) must be a finite number >= 1")]
    [InlineData("--k", "1", "RankK")]
    [InlineData("--k", "3000", "--k 3000: must be at most --units (2000)")]
    [InlineData("--epochs", "zero", "--epochs zero: an integer is required")]
    [InlineData("--backend", "tpu", "--backend tpu: allowed values are")]
    [InlineData("--backend", "cuda", "CUDA is not available: the NVIDIA driver (libcuda.so.1) not found")]
    [InlineData("--colour", "red", "unknown option --colour")]
    [InlineData("--lr", "0", "--lr 0: must be greater than 0")]
    public void BadOptionsAreRefusedByName(string option, string value, string message)
    {
        if (value == "cuda" && Hebb.Accelerated.BackendSelector.CudaAvailable(out _)) return; // a machine with a GPU starts it
        string root = Fixtures.WriteMnistLike(Fixtures.TempDir(), "mnist", 10, 10);
        Fixtures.Refused(root, message, "train", "krotov", "--data", root, option, value, "--out", Path.Combine(root, "r"));
        Assert.False(File.Exists(Path.Combine(root, "r", "weights.npy")));
    }

    /// <summary>Section 3's comparison: the biological algorithm and the fast rule from one start on the same images write
    /// two run folders (RUN and RUN/fast) that hebb eval takes, and a report of how alike they are; the fast rule's
    /// weights are the reference's fast rule at batch 1 from that start (replayed here), and a batch is refused.</summary>
    [Fact]
    public void BiologicalComparisonWritesTwoRunsAndItsReport()
    {
        string root = Fixtures.WriteMnistLike(Fixtures.TempDir(), "mnist", 30, 20), run = Path.Combine(root, "bio");
        var (code, stdout, stderr) = Fixtures.Hebb(root, "train", "krotov", "--algorithm", "biological", "--data", root, "--units", "6", "--k", "3",
            "--limit", "12", "--epochs", "2", "--lr", "0.05", "--w-inh", "0.3", "--h-star", "3", "--shuffle-off-is-not-an-option-here", "x", "--out", run);
        Assert.Equal(2, code);
        Assert.Contains("unknown option --shuffle-off-is-not-an-option-here", stderr);
        (code, stdout, stderr) = Fixtures.Hebb(root, "train", "krotov", "--algorithm", "biological", "--data", root, "--units", "6", "--k", "3",
            "--limit", "12", "--epochs", "2", "--lr", "0.05", "--w-inh", "0.3", "--h-star", "3", "--out", run);
        Assert.True(code == 0, stdout + stderr);
        foreach (var f in new[] { "options.json", "weights.npy", "report.md", "metrics.jsonl", "comparison.png", "fast/options.json", "fast/weights.npy" })
            Assert.True(File.Exists(Path.Combine(run, f)), f);
        Assert.Contains("| 2 |", File.ReadAllText(Path.Combine(run, "report.md")));
        // The fast rule's weights, replayed: W0 and the order from the seed, the paper's variant one image at a time.
        var data = Hebb.Data.Datasets.Load("mnist", root, train: true);
        var rng = new Random(1);
        var w0 = Hebb.Runs.EngineChoice.Normal(6, 784, rng);
        var w = new double[6, 784];
        for (int i = 0; i < 6; i++) for (int j = 0; j < 784; j++) w[i, j] = w0[i, j];
        var order = Enumerable.Range(0, 12).ToArray();
        for (int e = 0; e < 2; e++)
        {
            rng.Shuffle(order);
            foreach (int i in order)
                w = Hebb.Reference.Krotov.fastStep(Hebb.Reference.Krotov.Variant.Paper, 3, 1, 3, 0.4, 0.05 * (1 - e / 2.0), w,
                    [data.Images.Row(i).ToArray().Select(x => (double)x).ToArray()]);
        }
        var fast = Hebb.Data.Npy.Read(Path.Combine(run, "fast", "weights.npy"));
        for (int i = 0; i < 6; i++) for (int j = 0; j < 784; j++) Assert.Equal((float)w[i, j], fast[i, j]);
        foreach (var r in new[] { run, Path.Combine(run, "fast") })
        {
            (code, stdout, stderr) = Fixtures.Hebb(root, "eval", r, "--data", root, "--epochs", "2");
            Assert.True(code == 0, stdout + stderr);
        }
        Fixtures.Refused(root, "--batch 10: the comparison runs one sample at a time", "train", "krotov", "--algorithm", "biological", "--data", root, "--batch", "10", "--out", Path.Combine(root, "b2"));
    }

    /// <summary>Refused by name before any work: an output folder that cannot be made (here: below a file), by every
    /// command that writes one, with no folder left behind by a refused eval; a rank of the pushed-away unit beyond the
    /// number of filters; blocks learned on another dataset; padding beyond W - 1; bench's window; a run folder whose
    /// options.json is broken.</summary>
    [Fact]
    public void BadFoldersRunsAndLayerOptionsAreRefusedByName()
    {
        string root = Fixtures.TempDir();
        Fixtures.WriteMnistLike(root, "mnist", 20, 10);
        Fixtures.WriteTinyCifar(root);
        string blocker = Path.Combine(root, "a-file");
        File.WriteAllText(blocker, "not a folder");
        string under = Path.Combine(blocker, "run");
        const string cannot = ": cannot create or write this folder";
        Fixtures.Refused(root, $"--out {under}{cannot}", "train", "krotov", "--data", root, "--units", "10", "--k", "2", "--out", under);
        Fixtures.Refused(root, $"--out {under}{cannot}", "train", "nnl-conv", "--data", root, "--filters", "8", "--out", under);
        Fixtures.Refused(root, $"--out {under}{cannot}", "eval", "raw", "--dataset", "mnist", "--probe", "linear", "--data", root, "--out", under);
        Fixtures.Refused(root, $"--out {under}{cannot}", "reproduce", "krotov-mnist", "--presets", Path.Combine(Fixtures.RepoRoot(), "presets"), "--out", under);
        Assert.Equal("not a folder", File.ReadAllText(blocker));

        Fixtures.Refused(root, "--m 9: must be at most --filters (8)", "train", "nnl-conv", "--data", root, "--filters", "8", "--m", "9",
            "--out", Path.Combine(root, "m9"));
        Assert.False(Directory.Exists(Path.Combine(root, "m9")));

        // The folder checked before the work is removed again when the eval is refused after it (a diverging raw CONV).
        string run = Path.Combine(root, "conv");
        Assert.Equal(0, Fixtures.Hebb(root, "train", "nnl-conv", "--data", root, "--filters", "8", "--epochs", "1", "--out", run).Code);
        string nested = Path.Combine(root, "new", "report");
        Fixtures.Refused(root, "--n 1000 with --normalize off", "eval", run, "--normalize", "off", "--n", "1000", "--epochs", "1", "--out", nested);
        Assert.False(Directory.Exists(Path.Combine(root, "new")));

        // Blocks side by side must all have learned on the run's images; padding beyond W - 1 adds only zeros.
        string mnistRun = Path.Combine(root, "mnist-conv");
        Assert.Equal(0, Fixtures.Hebb(root, "train", "nnl-conv", "--dataset", "mnist", "--data", root, "--filters", "4", "--epochs", "1", "--out", mnistRun).Code);
        Fixtures.Refused(root, $"--blocks: {mnistRun} learned its filters on mnist; every block must see the images of cifar10", "eval", run, "--blocks", mnistRun + ":40");
        Fixtures.Refused(root, "--padding 4: must be at most 3, the widest block's window W = 4 minus 1", "eval", run, "--padding", "4");
        Fixtures.Refused(root, "--window 99: Window must be in 1..32", "bench", "nnl-conv", "--window", "99");

        // A run folder whose options.json is broken is refused by name (it crashed with a stack trace).
        string broken = Path.Combine(root, "broken");
        Directory.CreateDirectory(broken);
        File.Copy(Path.Combine(run, "weights.npy"), Path.Combine(broken, "weights.npy"));
        File.WriteAllText(Path.Combine(broken, "options.json"), "{not json");
        Fixtures.Refused(root, $"{Path.Combine(broken, "options.json")} is not valid JSON", "eval", broken);
        var options = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "options.json")))!.AsObject();
        options.Remove("window");
        File.WriteAllText(Path.Combine(broken, "options.json"), options.ToJsonString());
        Fixtures.Refused(root, $"{Path.Combine(broken, "options.json")} has no \"window\"", "eval", broken);
        options["window"] = "four";
        File.WriteAllText(Path.Combine(broken, "options.json"), options.ToJsonString());
        Fixtures.Refused(root, "holds \"window\": \"four\", which is not an integer", "eval", broken);
    }

    /// <summary>A set of images whose features would not fit in one array is refused with the sizes and what to shrink:
    /// three padded blocks of 800 filters on CIFAR-10 (52,800 features) crashed with an overflow after loading.
    /// Augmented copies are sets of their own (the training rows are held in several arrays).</summary>
    [Fact]
    public void FeaturesBeyondOneArrayAreRefused()
    {
        FeatureArray.CheckFits(50_000, 32_800);
        FeatureArray.CheckFits(50_000, 16_400);
        FeatureArray.CheckFits(1, Array.MaxLength);
        var ex = Assert.Throws<UsageException>(() => FeatureArray.CheckFits(50_000, 52_800));
        Assert.Contains("50,000 images x 52,800 features = 2,640,000,000 values, more than one array holds", ex.Message);
    }

    /// <summary>A run stopped at a step (as Ctrl-C or SIGTERM stop it: HEBB_STOP_AFTER_STEPS stops it the same way) exits
    /// with 130 and a checkpoint in OUT.partial, leaving the earlier run in OUT as it was; --resume with the same options
    /// ends bit for bit where the uninterrupted run ends, at a step inside an epoch and at an epoch's end alike; other
    /// options, or nothing left to resume, are refused by name.</summary>
    [Fact]
    public void AStoppedRunResumesToTheUninterruptedRunsWeights()
    {
        string root = Fixtures.WriteMnistLike(Fixtures.TempDir(), "mnist", 200, 20);
        string[] common = ["train", "krotov", "--data", root, "--units", "12", "--k", "3", "--batch", "20", "--epochs", "4"];
        Assert.Equal(0, Fixtures.Hebb(root, [.. common, "--out", Path.Combine(root, "full")]).Code);
        var full = File.ReadAllBytes(Path.Combine(root, "full", "weights.npy"));
        string hebb = Path.Combine(AppContext.BaseDirectory, "hebb.dll");
        foreach (int stopAfter in new[] { 13, 20 })   // inside epoch 2 (10 steps an epoch), and at the end of epoch 2
        {
            string run = Path.Combine(root, $"cut{stopAfter}");
            Directory.CreateDirectory(run);
            File.WriteAllText(Path.Combine(run, "options.json"), "{\"rule\": \"an earlier run\"}");
            var (code, _, err) = Fixtures.Run("dotnet", root, [hebb, .. common, "--out", run], new() { ["HEBB_DATA"] = "", ["HEBB_STOP_AFTER_STEPS"] = $"{stopAfter}" });
            Assert.True(code == 130, err);
            Assert.Contains("continue with the same command and --resume", err);
            Assert.Equal("{\"rule\": \"an earlier run\"}", File.ReadAllText(Path.Combine(run, "options.json")));
            Assert.True(File.Exists(Path.Combine(run + ".partial", "checkpoint.json")));
            Fixtures.Refused(root, "--resume: the unfinished run in", [.. common, "--lr", "0.05", "--out", run, "--resume"]);
            (code, var stdout, err) = Fixtures.Hebb(root, [.. common, "--out", run, "--resume"]);
            Assert.True(code == 0, stdout + err);
            Assert.Equal(full, File.ReadAllBytes(Path.Combine(run, "weights.npy")));
            Assert.Equal(4, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);
            Assert.False(Directory.Exists(run + ".partial"));
            Assert.Empty(Directory.GetFiles(run, "checkpoint*"));
            Fixtures.Refused(root, "has no unfinished run to resume", [.. common, "--out", run, "--resume"]);
        }
    }

    /// <summary>hebb train nnl-conv stopped inside an epoch (inside a chunk of images) or at its end resumes to the
    /// uninterrupted run's filters bit for bit: the checkpoint's weights, the image orders and the chunks' shuffles
    /// replayed from the seed.</summary>
    [Fact]
    public void AStoppedNnlConvRunResumesToTheUninterruptedRunsFilters()
    {
        string root = Fixtures.TempDir();
        Fixtures.WriteTinyCifar(root);   // 72 training images: 63 steps an epoch at --chunk 16 --batch 1000
        string[] common = ["train", "nnl-conv", "--data", root, "--filters", "8", "--epochs", "2", "--chunk", "16", "--batch", "1000"];
        Assert.Equal(0, Fixtures.Hebb(root, [.. common, "--out", Path.Combine(root, "full")]).Code);
        var full = File.ReadAllBytes(Path.Combine(root, "full", "weights.npy"));
        string hebb = Path.Combine(AppContext.BaseDirectory, "hebb.dll");
        foreach (int stopAfter in new[] { 30, 63 })
        {
            string run = Path.Combine(root, $"cut{stopAfter}");
            var (code, _, err) = Fixtures.Run("dotnet", root, [hebb, .. common, "--out", run], new() { ["HEBB_DATA"] = "", ["HEBB_STOP_AFTER_STEPS"] = $"{stopAfter}" });
            Assert.True(code == 130, err);
            Assert.False(Directory.Exists(run));
            (code, var stdout, err) = Fixtures.Hebb(root, [.. common, "--out", run, "--resume"]);
            Assert.True(code == 0, stdout + err);
            Assert.Equal(full, File.ReadAllBytes(Path.Combine(run, "weights.npy")));
            Assert.Equal(2, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);
        }
    }

    /// <summary>hebb train csnn stopped inside a layer (between two utilization points, and at one) or at a layer's end
    /// resumes to the uninterrupted run's weights and masks in every layer, bit for bit.</summary>
    [Fact]
    public void AStoppedCsnnRunResumesToTheUninterruptedRunsLayers()
    {
        string root = Fixtures.TempDir();
        Fixtures.WriteTinyCifar(root);
        // 45 steps in layer 1: a utilization point every 2 steps, so that step 3 falls between two and step 4 on one.
        string[] common = ["train", "csnn", "--data", root, "--layers", "2", "--grid", "3x4x2,2x2x1", "--steps", "45,6", "--batch", "2", "--norm-images", "20"];
        Assert.Equal(0, Fixtures.Hebb(root, [.. common, "--out", Path.Combine(root, "full")]).Code);
        string[] files = ["layer-1/weights-0.npy", "layer-1/masks-1.npy", "layer-2/weights-0.npy", "layer-2/masks-0.npy", "layer-2/norm.npy"];
        string hebb = Path.Combine(AppContext.BaseDirectory, "hebb.dll");
        foreach (int stopAfter in new[] { 3, 4, 45, 48 })
        {
            string run = Path.Combine(root, $"cut{stopAfter}");
            var (code, _, err) = Fixtures.Run("dotnet", root, [hebb, .. common, "--out", run], new() { ["HEBB_DATA"] = "", ["HEBB_STOP_AFTER_STEPS"] = $"{stopAfter}" });
            Assert.True(code == 130, $"{stopAfter}: {err}");
            (code, var stdout, err) = Fixtures.Hebb(root, [.. common, "--out", run, "--resume"]);
            Assert.True(code == 0, stdout + err);
            foreach (var f in files)
                Assert.True(File.ReadAllBytes(Path.Combine(root, "full", f)).SequenceEqual(File.ReadAllBytes(Path.Combine(run, f))), $"stopped after {stopAfter} steps: {f} differs");
            Assert.Equal(File.ReadAllLines(Path.Combine(root, "full", "metrics.jsonl")).Length, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);
        }
    }

    /// <summary>Table I's NO rows (`--masks noise`): the masks are U(-1, 1) drawn anew before every step, so the run ends
    /// with neither its initial masks (the RM run beside it keeps those) nor the previous step's draw; the masks do not
    /// learn; a stopped run resumes to the same bits, its draws included.</summary>
    [Fact]
    public void NoiseMasksAreDrawnAnewEveryStepAndResumeToTheSameBits()
    {
        string root = Fixtures.TempDir();
        Fixtures.WriteTinyCifar(root);
        string[] common = ["train", "csnn", "--data", root, "--layers", "1", "--grid", "3x4x2", "--batch", "2", "--norm-images", "20", "--masks", "noise"];
        Assert.Equal(0, Fixtures.Hebb(root, [.. common, "--steps", "8", "--out", Path.Combine(root, "no8")]).Code);
        Assert.Equal(0, Fixtures.Hebb(root, [.. common, "--steps", "7", "--out", Path.Combine(root, "no7")]).Code);
        Assert.Equal(0, Fixtures.Hebb(root, ["train", "csnn", "--data", root, "--layers", "1", "--grid", "3x4x2", "--batch", "2", "--norm-images", "20",
                                             "--mask-lr", "0", "--steps", "8", "--out", Path.Combine(root, "rm")]).Code);
        var masks = Hebb.Data.Npy.Read(Path.Combine(root, "no8", "layer-1", "masks-0.npy"));
        Assert.All(masks.Data, v => Assert.InRange(v, -1f, 1f));
        Assert.NotEqual(masks.Data, Hebb.Data.Npy.Read(Path.Combine(root, "no7", "layer-1", "masks-0.npy")).Data);
        Assert.NotEqual(masks.Data, Hebb.Data.Npy.Read(Path.Combine(root, "rm", "layer-1", "masks-0.npy")).Data);
        Assert.Contains("noise masks U(-1, 1) drawn anew before every step (NO)", File.ReadAllText(Path.Combine(root, "no8", "report.md")));
        Assert.Equal("noise", (string)System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(root, "no8", "options.json")))!["masks"]!);

        string run = Path.Combine(root, "cut");
        var (code, _, err) = Fixtures.Run("dotnet", root, [Path.Combine(AppContext.BaseDirectory, "hebb.dll"), .. common, "--steps", "8", "--out", run],
            new() { ["HEBB_DATA"] = "", ["HEBB_STOP_AFTER_STEPS"] = "5" });
        Assert.True(code == 130, err);
        (code, var stdout, err) = Fixtures.Hebb(root, [.. common, "--steps", "8", "--out", run, "--resume"]);
        Assert.True(code == 0, stdout + err);
        foreach (var f in new[] { "layer-1/weights-0.npy", "layer-1/masks-0.npy", "layer-1/masks-1.npy" })
            Assert.True(File.ReadAllBytes(Path.Combine(root, "no8", f)).SequenceEqual(File.ReadAllBytes(Path.Combine(run, f))), $"{f} differs after resuming");
    }

    /// <summary>Issue 33's cases, refused by name before any work: an option given without its value, a p whose float32
    /// currents overflow, --device on a backend without devices, a bad HEBB_BACKEND, a dataset that holds no image,
    /// more units than one array holds.</summary>
    [Fact]
    public void CarelessInputsAreRefusedByName()
    {
        string root = Fixtures.WriteMnistLike(Fixtures.TempDir(), "mnist", 20, 10), run = Path.Combine(root, "r");
        Fixtures.Refused(root, "--epochs: a value is required (--epochs VALUE)", "train", "krotov", "--data", root, "--epochs", "--out", run);
        Fixtures.Refused(root, "--p 100: the currents sum |W|^(p-1) over 784 inputs", "train", "krotov", "--data", root, "--p", "100", "--out", run);
        Fixtures.Refused(root, "--device 0: the cpu backend has no devices", "train", "krotov", "--data", root, "--backend", "cpu", "--device", "0", "--out", run);
        Fixtures.Refused(root, "--device 0: the reference engine runs on the CPU", "train", "krotov", "--data", root, "--engine", "reference", "--device", "0", "--out", run);
        Fixtures.Refused(root, "--units 3000000: 3,000,000 x 784 weights are more than one array holds", "train", "krotov", "--data", root, "--units", "3000000", "--out", run);
        var (code, _, err) = Fixtures.Run("dotnet", root, [Path.Combine(AppContext.BaseDirectory, "hebb.dll"), "train", "krotov", "--data", root, "--out", run],
            new() { ["HEBB_DATA"] = "", ["HEBB_BACKEND"] = "gpu" });
        Assert.True(code == 2, err);
        Assert.Contains("HEBB_BACKEND=gpu: allowed values are auto, cpu, cpu-managed, opencl, cuda", err);
        Assert.False(Directory.Exists(run) || Directory.Exists(run + ".partial"));
        string empty = Fixtures.WriteMnistLike(Fixtures.TempDir(), "mnist", 0, 10);
        (code, _, err) = Fixtures.Hebb(empty, "train", "krotov", "--data", empty, "--out", Path.Combine(empty, "r"));
        Assert.True(code == 3, err);
        Assert.Contains("its training set holds no image (the file says 0)", err);
        (code, _, err) = Fixtures.Hebb(empty, "eval", "raw", "--dataset", "mnist", "--data", empty, "--probe", "linear");
        Assert.True(code == 3, err);
        Assert.DoesNotContain("Index was out of range", err);
    }

    /// <summary>A learning rate too large for the data makes the weights NaN, infinite or huge; both trainers stop after
    /// that epoch with exit code 4 and a message naming the rate, write no weights.npy, and leave the earlier run in the
    /// folder as it was (the new run wrote only into OUT.partial, which keeps its options and metrics); a folder that
    /// held no run keeps its files, and a run that finishes there writes its own beside them.</summary>
    [Fact]
    public void ADivergingRunStopsAndLeavesNoWeights()
    {
        string root = Fixtures.WriteMnistLike(Fixtures.TempDir(), "mnist", 100, 20);
        string run = Path.Combine(root, "r");
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, "options.json"), "{}");
        File.WriteAllText(Path.Combine(run, "weights.npy"), "an earlier run's weights");
        File.WriteAllText(Path.Combine(run, "report.md"), "an earlier run's report");
        var (code, _, err) = Fixtures.Hebb(root, "train", "krotov", "--data", root, "--units", "10", "--epochs", "3", "--lr", "1e38", "--out", run);
        Assert.True(code == 4, err);
        Assert.Contains("training diverged: after epoch ", err);
        Assert.Contains("--lr 1E+38 is too large for these inputs", err);
        Assert.Equal("an earlier run's weights", File.ReadAllText(Path.Combine(run, "weights.npy")));
        Assert.Equal("an earlier run's report", File.ReadAllText(Path.Combine(run, "report.md")));
        Assert.Equal("{}", File.ReadAllText(Path.Combine(run, "options.json")));
        Assert.False(File.Exists(Path.Combine(run + ".partial", "weights.npy")));
        Assert.True(File.Exists(Path.Combine(run + ".partial", "options.json")));
        Assert.Equal(2, Fixtures.Hebb(root, "eval", run).Code);

        string cifar = Fixtures.TempDir();
        Fixtures.WriteTinyCifar(cifar);
        // A folder that holds no run keeps its files (a report.md of the user's is not a run's result).
        Directory.CreateDirectory(Path.Combine(cifar, "c"));
        File.WriteAllText(Path.Combine(cifar, "c", "report.md"), "the user's own notes");
        (code, _, err) = Fixtures.Hebb(cifar, "train", "nnl-conv", "--data", cifar, "--filters", "8", "--normalize-patches", "off", "--lr", "1000",
            "--out", Path.Combine(cifar, "c"));
        Assert.True(code == 4, err);
        Assert.Contains("--lr 1000 is too large", err);
        Assert.False(File.Exists(Path.Combine(cifar, "c", "weights.npy")));
        Assert.Equal("the user's own notes", File.ReadAllText(Path.Combine(cifar, "c", "report.md")));
        // Unit-length patches at the default rate stay finite, and the run finishes in the same folder.
        Assert.Equal(0, Fixtures.Hebb(cifar, "train", "nnl-conv", "--data", cifar, "--filters", "8", "--out", Path.Combine(cifar, "c")).Code);
        Assert.True(File.Exists(Path.Combine(cifar, "c", "weights.npy")));
    }

    [Fact]
    public void MissingDatasetExitsWithTheFetchCommand()
    {
        string root = Fixtures.TempDir();
        var (code, _, err) = Fixtures.Hebb(root, "train", "krotov", "--data", root, "--epochs", "1");
        Assert.Equal(3, code);
        Assert.Contains("hebb data fetch mnist", err);
    }

    [Fact]
    public void VerifyPassesOnThisMachine()
    {
        var (code, output, err) = Fixtures.Hebb(Fixtures.TempDir(), "verify", "--backend", "cpu-managed");
        Assert.True(code == 0, output + err);
        Assert.Contains("0 failed", output);
    }

    /// <summary>hebb rules lists every rule from its registrations: its paper, the backends that implement it, its cases,
    /// its commands and presets; an unknown rule is refused with the list.</summary>
    [Fact]
    public void RulesListsEveryRuleWithItsBackendsCasesAndPresets()
    {
        string dir = Fixtures.TempDir();
        var (code, output, err) = Fixtures.Hebb(dir, "rules");
        Assert.True(code == 0, output + err);
        string flat = Regex.Replace(output, @"\s+", " ");
        foreach (var rule in Hebb.Contracts.Rules.All)
        {
            Assert.Contains($"rule {rule.Name}", flat);
            Assert.Contains($"hebb verify --rule {rule.Name}", flat);
        }
        Assert.Contains("nnl-conv (also: conv)", flat);
        Assert.Contains("hebb train krotov", flat);
        Assert.Contains("hebb bench mlp", flat);
        Assert.Contains("opencl, cuda", flat);
        Assert.Contains("krotov-biological, krotov-cifar10, krotov-mnist-appendix-b, krotov-mnist (hebb reproduce NAME)", flat);   // the presets beside the executable
        var (one, oneOut, _) = Fixtures.Hebb(dir, "rules", "conv");
        Assert.True(one == 0);
        Assert.Contains("rule nnl-conv", Regex.Replace(oneOut, @"\s+", " "));
        Assert.DoesNotContain("rule krotov", Regex.Replace(oneOut, @"\s+", " "));
        Fixtures.Refused(dir, "rules urlsom: no such rule; rules: csnn, krotov, nnl-conv, probe, top", "rules", "urlsom");
    }

    /// <summary>The help texts name what the code accepts: every --backend list is BackendSelector.Names, verify's
    /// --rule list is the rules of the equivalence cases, and the overview's bench line names every bench in
    /// hebb bench --help. (They had drifted: opencl, cuda, conv and nnl-conv were missing.)</summary>
    [Fact]
    public void HelpTextsNameWhatTheCodeAccepts()
    {
        string dir = Fixtures.TempDir();
        var help = new[] { "rules", "train", "eval", "bench", "verify", "reproduce", "data", "" }.ToDictionary(c => c, c =>
        {
            var (code, output, err) = c == "" ? Fixtures.Hebb(dir, "--help") : Fixtures.Hebb(dir, c, "--help");
            Assert.True(code == 0, output + err);
            return output;
        });
        var backendLists = Regex.Matches(string.Join("\n", help.Values), @"--backend (auto\|[a-z|-]+)");
        Assert.NotEmpty(backendLists);
        foreach (Match m in backendLists)
            Assert.Equal(string.Join("|", Hebb.Accelerated.BackendSelector.Names), m.Groups[1].Value);

        var rules = Regex.Match(help["verify"], @"--rule ([a-z|-]+)\]").Groups[1].Value;
        Assert.Equal(Hebb.Verification.Cases.All.Select(c => c.Rule).Distinct().Order(), rules.Split('|').Order());

        var benches = Regex.Matches(help["bench"], @"^hebb bench ([a-z-]+)", RegexOptions.Multiline).Select(m => m.Groups[1].Value).Distinct();
        var listed = Regex.Match(help[""], @"hebb bench ([a-z|-]+) ").Groups[1].Value;
        Assert.Equal(benches.Order(), listed.Split('|').Order());

        // hebb train RULE --help and hebb bench NAME --help give that one's help only.
        var (_, trainCsnn, _) = Fixtures.Hebb(dir, "train", "csnn", "--help");
        Assert.Contains("hebb train csnn", trainCsnn);
        Assert.DoesNotContain("hebb train krotov", trainCsnn);
        var (_, benchKrotov, _) = Fixtures.Hebb(dir, "bench", "krotov", "--help");
        Assert.Contains("hebb bench krotov", benchKrotov);
        Assert.DoesNotContain("hebb bench csnn", benchKrotov);
    }
}

/// <summary>hebb train nnl-conv and its evaluation, on tiny CIFAR-format files the test writes.</summary>
public class ConvCliTests
{
    /// <summary>hebb bench nnl-conv on tiny CIFAR files: where the steps run one by one, the bound is timed in slices
    /// beside them (6,056 steps of 10 patches: a slice of 4,096 products after the first 4,096 steps, one of 1,960 after
    /// the last); with --threads 2 the layer's threads learn and the bound is timed after the epoch. The bench stops if
    /// its bound ran another number of products than the epoch took steps. No time is asserted: speed is the
    /// benchmark's to report.</summary>
    [Fact]
    public void BenchNnlConvTimesTheBoundBesideTheEpoch()
    {
        string root = Fixtures.TempDir();
        Fixtures.WriteTinyCifar(root);
        var (code, output, err) = Fixtures.Hebb(root, "bench", "nnl-conv", "--data", root, "--filters", "16", "--batch", "10", "--backend", "cpu");
        Assert.True(code == 0, output + err);
        string flat = Regex.Replace(output, @"\s+", " ");
        Assert.Contains("6,056 steps", flat);
        Assert.Contains("the bound timed in 2 slices of at most 4,096 products, each right after as many of the epoch's steps", flat);
        Assert.Contains("learning epoch / GEMM-only =", flat);
        (code, output, err) = Fixtures.Hebb(root, "bench", "nnl-conv", "--data", root, "--filters", "16", "--batch", "10", "--backend", "cpu", "--threads", "2");
        Assert.True(code == 0, output + err);
        Assert.Contains("the bound timed after the epoch", Regex.Replace(output, @"\s+", " "));
    }

    [Fact]
    public void TrainNnlConvThenEvaluateWithTheLinearProbe()
    {
        string root = Fixtures.TempDir();
        Fixtures.WriteTinyCifar(root);
        string run = Path.Combine(root, "conv");
        var (code, output, err) = Fixtures.Hebb(root, "train", "nnl-conv", "--data", root, "--filters", "12", "--window", "4", "--epochs", "2",
            "--batch", "200", "--center-patches", "on", "--normalize-patches", "on", "--out", run);
        Assert.True(code == 0, output + err);
        foreach (var f in new[] { "options.json", "metrics.jsonl", "weights.npy", "filters.png", "report.md" }) Assert.True(File.Exists(Path.Combine(run, f)), f);
        var w = Hebb.Data.Npy.Read(Path.Combine(run, "weights.npy"));
        Assert.Equal((12, 48), (w.Rows, w.Cols));
        var trained = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "options.json")))!;
        Assert.True((bool)trained["center_patches"]! && (bool)trained["normalize_patches"]!);

        (code, output, err) = Fixtures.Hebb(root, "eval", run, "--epochs", "30", "--batch", "16", "--pool-window", "29", "--pool-stride", "29", "--n", "4");
        Assert.True(code == 0, output + err);
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "eval-linear-n4", "report.json")))!;
        Assert.Equal(12, (int)report["features"]!);
        Assert.Contains("NNL-CONV", (string)report["representation"]!);

        // A second block (W = 3, 8 filters) side by side with the first: 12 + 8 features after global pooling.
        string run3 = Path.Combine(root, "conv3");
        Assert.Equal(0, Fixtures.Hebb(root, "train", "nnl-conv", "--data", root, "--filters", "8", "--window", "3", "--epochs", "1", "--batch", "200", "--out", run3).Code);
        // The defaults: eq. 1 as written (the paper variant, learning rate 1) on unit-length, uncentred patches.
        var defaults = JsonNode.Parse(File.ReadAllText(Path.Combine(run3, "options.json")))!;
        Assert.Equal(("Paper", 1.0, true, false), ((string)defaults["variant"]!, (double)defaults["lr"]!, (bool)defaults["normalize_patches"]!, (bool)defaults["center_patches"]!));
        (code, output, err) = Fixtures.Hebb(root, "eval", run, "--epochs", "5", "--batch", "16", "--pool-window", "29", "--pool-stride", "29", "--n", "4",
            "--blocks", run3 + ":10", "--out", Path.Combine(root, "multi"));
        Assert.True(code == 0, output + err);
        Assert.Equal(20, (int)JsonNode.Parse(File.ReadAllText(Path.Combine(root, "multi", "report.json")))!["features"]!);
        Assert.Equal(2, Fixtures.Hebb(root, "eval", run, "--blocks", run3 + ":x").Code);

        // --padding 3 (= W - 1): the layer's output grows from 29 x 29 to 35 x 35, so pooling 29 / 6 has 2 x 2 windows.
        (code, output, err) = Fixtures.Hebb(root, "eval", run, "--epochs", "2", "--batch", "16", "--padding", "3", "--pool-window", "29",
            "--pool-stride", "6", "--n", "4", "--out", Path.Combine(root, "padded"));
        Assert.True(code == 0, output + err);
        var padded = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "padded", "report.json")))!;
        Assert.Equal(12 * 2 * 2, (int)padded["features"]!);
        Assert.Contains("padding 3, pool 29/6", (string)padded["representation"]!);
        Fixtures.Refused(root, "--padding 2: only an nnl-conv run's layer pads its images", "eval", "raw", "--dataset", "cifar10", "--probe", "linear", "--data", root, "--padding", "2");
        Fixtures.Refused(root, "--pool-stride 6: only an nnl-conv run's layer has pooling", "eval", "raw", "--dataset", "cifar10", "--probe", "linear", "--data", root, "--pool-stride", "6");
        Fixtures.Refused(root, "--lr -0.001: must be greater than 0", "eval", run, "--lr", "-0.001");
        Fixtures.Refused(root, "--padding -1: must be at least 0", "eval", run, "--padding", "-1");

        // --threads: the cpu backend's steps split over threads learn the same filters (bit for bit with the managed
        // GEMM) as the steps one by one; another backend is refused before a run folder is made.
        string one = Path.Combine(root, "one"), three = Path.Combine(root, "three"), gpu = Path.Combine(root, "gpu");
        Assert.Equal(0, Fixtures.Hebb(root, "train", "nnl-conv", "--data", root, "--filters", "8", "--window", "3", "--epochs", "1", "--batch", "50",
            "--backend", "cpu-managed", "--threads", "1", "--out", one).Code);
        Assert.Equal(0, Fixtures.Hebb(root, "train", "nnl-conv", "--data", root, "--filters", "8", "--window", "3", "--epochs", "1", "--batch", "50",
            "--backend", "cpu-managed", "--threads", "3", "--out", three).Code);
        Assert.Equal(File.ReadAllBytes(Path.Combine(one, "weights.npy")), File.ReadAllBytes(Path.Combine(three, "weights.npy")));
        Assert.Equal(3, (int)JsonNode.Parse(File.ReadAllText(Path.Combine(three, "options.json")))!["threads"]!);
        Fixtures.Refused(root, "--threads 2: only the cpu backend", "train", "nnl-conv", "--data", root, "--engine", "reference", "--threads", "2", "--out", gpu);
        Assert.False(Directory.Exists(gpu));

        Fixtures.Refused(root, "runs of nnl-conv take --probe linear|mlp|fewshot", "eval", run, "--probe", "top");
        Fixtures.Refused(root, "--pool-window 40: PoolWindow must be in 1..29", "eval", run, "--pool-window", "40");

        // Without patch normalization a steep power overflows float32 (the paper's section 6): refused by name, and
        // no report folder is made.
        string overflow = Path.Combine(root, "overflow");
        Fixtures.Refused(root, "--n 1000 with --normalize off", "eval", run, "--normalize", "off", "--n", "1000", "--epochs", "1", "--out", overflow);
        Assert.False(Directory.Exists(overflow));
    }
}

public class ReproduceTests
{
    [Fact]
    public void APresetRunsItsStepsAndTabulatesOursBesideThePaper()
    {
        string root = Fixtures.WriteMnistLike(Fixtures.TempDir(), "mnist", 200, 60);
        string presets = ToyPreset(root, """
            {
              "paper": "a toy paper", "description": "a tiny Krotov run and its top layer",
              "steps": [
                ["train", "krotov", "--units", "20", "--k", "2", "--epochs", "1", "--out", "{out}/run"],
                ["eval", "{out}/run", "--epochs", "2"],
                ["eval", "{out}/run", "--probe", "linear", "--epochs", "2", "--out", "{out}/linear"]
              ],
              "quick": { "eval": ["--limit-test", "30"] },
              "results": [ { "label": "test error", "report": "{out}/run/eval/eval.json", "field": "test_error", "paper": 0.0152 },
                           { "label": "linear probe", "report": "{out}/linear/report.json", "field": "test_error", "paper": 0.1 } ]
            }
            """);
        string outDir = Path.Combine(root, "out");
        var (code, output, err) = Fixtures.Hebb(root, "reproduce", "toy", "--presets", presets, "--data", root, "--out", outDir, "--quick");
        Assert.True(code == 0, output + err);
        string report = File.ReadAllText(Path.Combine(outDir, "report.md"));
        Assert.Contains("| test error (test_error) |", report);
        Assert.Contains("1.52%", report);
        // The linear probe's error carries its binomial standard error (its test half: 15 images).
        var linear = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "linear", "report.json")))!;
        double se = Math.Sqrt((double)linear["test_accuracy"]! * (1 - (double)linear["test_accuracy"]!) / 15);
        Assert.Contains(FormattableString.Invariant($"| linear probe (test_error) | {100 * (double)linear["test_error"]!:F2}% ± {100 * se:F2}% | 10.00% |"), report);
        Assert.Equal(30, (int)JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "run", "eval", "eval.json")))!["test_images"]!);

        Fixtures.Refused(root, "presets: toy", "reproduce", "nope", "--presets", presets);
    }

    /// <summary>Writes <paramref name="json"/> as ROOT/presets/toy.json and returns the presets folder.</summary>
    static string ToyPreset(string root, string json)
    {
        string presets = Path.Combine(root, "presets");
        Directory.CreateDirectory(presets);
        File.WriteAllText(Path.Combine(presets, "toy.json"), json);
        return presets;
    }

    /// <summary>A preset stopped inside its training step continues from the step's checkpoint when the same command is
    /// given again, ends with the uninterrupted preset's weights, and does not run a finished step twice; --only runs
    /// the steps of the named parts.</summary>
    [Fact]
    public void AStoppedPresetContinuesWhereItStoppedAndRunsNoStepTwice()
    {
        string root = Fixtures.WriteMnistLike(Fixtures.TempDir(), "mnist", 200, 60);
        string presets = ToyPreset(root, """
            {
              "paper": "a toy paper", "description": "a tiny Krotov run and two probes",
              "steps": [
                ["train", "krotov", "--units", "20", "--k", "2", "--epochs", "3", "--batch", "20", "--out", "{out}/run"],
                ["eval", "{out}/run", "--epochs", "2", "--limit-test", "30"],
                ["eval", "{out}/run", "--probe", "linear", "--epochs", "2", "--out", "{out}/linear"]
              ],
              "results": [ { "label": "test error", "report": "{out}/run/eval/eval.json", "field": "test_error", "paper": 0.0152 } ]
            }
            """);
        string hebb = Path.Combine(AppContext.BaseDirectory, "hebb.dll");
        string[] command = ["reproduce", "toy", "--presets", presets, "--data", root];
        string whole = Path.Combine(root, "whole"), stopped = Path.Combine(root, "stopped");
        var (code, output, err) = Fixtures.Hebb(root, [.. command, "--out", whole]);
        Assert.True(code == 0, output + err);

        (code, output, err) = Fixtures.Run("dotnet", root, [hebb, .. command, "--out", stopped], new() { ["HEBB_DATA"] = "", ["HEBB_STOP_AFTER_STEPS"] = "13" });
        Assert.Equal(130, code);
        Assert.Contains("reproduce toy: stopped in the step 'hebb train krotov", err);
        Assert.Contains("the same hebb reproduce command continues from there", err);
        (code, output, err) = Fixtures.Hebb(root, [.. command, "--out", stopped]);
        Assert.True(code == 0, output + err);
        Assert.Contains("--resume", output);
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, "run", "weights.npy")), File.ReadAllBytes(Path.Combine(stopped, "run", "weights.npy")));
        Assert.Equal(3, File.ReadAllLines(Path.Combine(stopped, "steps.done")).Length);

        var before = File.GetLastWriteTimeUtc(Path.Combine(stopped, "linear", "report.json"));
        (code, output, err) = Fixtures.Hebb(root, [.. command, "--out", stopped, "--only", "linear"]);
        Assert.True(code == 0, output + err);
        Assert.Contains("done already: hebb eval", output);
        Assert.DoesNotContain("train krotov", output);
        Assert.Equal(before, File.GetLastWriteTimeUtc(Path.Combine(stopped, "linear", "report.json")));
        Fixtures.Refused(root, "toy's parts are linear, run", [.. command, "--out", stopped, "--only", "lin"]);
    }

    /// <summary>--seed S reaches every training step (another draw of the initial weights and the image order) and no
    /// probe; without --out the folder carries the seed; a seed that is not an integer is refused by name.</summary>
    [Fact]
    public void ASeedReachesEveryTrainingStepAndNoProbe()
    {
        string root = Fixtures.WriteMnistLike(Fixtures.TempDir(), "mnist", 200, 60);
        string presets = ToyPreset(root, """
            {
              "paper": "a toy paper", "description": "a tiny Krotov run and a probe",
              "steps": [
                ["train", "krotov", "--units", "20", "--k", "2", "--epochs", "1", "--out", "{out}/run"],
                ["eval", "{out}/run", "--probe", "linear", "--epochs", "1", "--limit-test", "30", "--out", "{out}/linear"]
              ],
              "results": [ { "label": "linear probe", "report": "{out}/linear/report.json", "field": "test_error" } ]
            }
            """);
        string[] command = ["reproduce", "toy", "--presets", presets, "--data", root];
        string first = Path.Combine(root, "first");
        var (code, output, err) = Fixtures.Hebb(root, [.. command, "--out", first]);
        Assert.True(code == 0, output + err);
        (code, output, err) = Fixtures.Hebb(root, [.. command, "--seed", "7"]);
        Assert.True(code == 0, output + err);
        string seventh = Path.Combine(root, "runs", "reproduce-toy-seed7");
        Assert.StartsWith("# hebb reproduce toy (training seed 7)", File.ReadAllText(Path.Combine(seventh, "report.md")));

        static int Seed(string file) => (int)JsonNode.Parse(File.ReadAllText(file))!["seed"]!;
        Assert.Equal(1, Seed(Path.Combine(first, "run", "options.json")));
        Assert.Equal(7, Seed(Path.Combine(seventh, "run", "options.json")));
        Assert.Equal(1, Seed(Path.Combine(seventh, "linear", "report.json")));
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(first, "run", "weights.npy")), File.ReadAllBytes(Path.Combine(seventh, "run", "weights.npy")));

        Fixtures.Refused(root, "--seed x: an integer is required", [.. command, "--seed", "x"]);
        Assert.False(Directory.Exists(Path.Combine(root, "runs", "reproduce-toy-seedx")));
    }

    /// <summary>Every preset shipped in presets/ names its paper, has steps that are hebb commands writing under
    /// {out}, and results rows that say where their figure comes from.</summary>
    [Fact]
    public void EveryShippedPresetIsWellFormed()
    {
        var files = Directory.GetFiles(Path.Combine(Fixtures.RepoRoot(), "presets"), "*.json");
        Assert.NotEmpty(files);
        foreach (var f in files)
        {
            var p = JsonNode.Parse(File.ReadAllText(f))!;
            string name = Path.GetFileName(f);
            Assert.False(string.IsNullOrWhiteSpace((string?)p["paper"]), name);
            Assert.False(string.IsNullOrWhiteSpace((string?)p["description"]), name);
            var steps = p["steps"]!.AsArray();
            Assert.NotEmpty(steps);
            foreach (var step in steps)
            {
                var args = step!.AsArray().Select(x => (string)x!).ToArray();
                Assert.Contains(args[0], new[] { "train", "eval" });
                // Writes under {out}: with --out {out}/..., or (eval) into the run it reads from {out}/...
                int outAt = Array.IndexOf(args, "--out");
                bool under = outAt > 0 ? args[outAt + 1].StartsWith("{out}") : args[0] == "eval" && args[1].StartsWith("{out}");
                Assert.True(under, $"{name}: each step writes under {{out}}");
            }
            foreach (var row in p["results"]?.AsArray() ?? [])
                foreach (var field in new[] { "label", "report", "field" })
                    Assert.False(string.IsNullOrWhiteSpace((string?)row![field]), $"{name}: a result without {field}");
        }
    }
}

/// <summary>hebb train csnn and hebb eval on its runs: a small two-layer CSNN model trained layer-wise on tiny
/// CIFAR-format files, as a user runs it.</summary>
public class CsnnCliTests
{
    [Fact]
    public void TrainCsnnTrainsTheLayersOneAfterAnotherAndEvalProbesTheLastBlock()
    {
        string root = Fixtures.TempDir();
        Fixtures.WriteTinyCifar(root);
        string run = Path.Combine(root, "run");
        var (code, output, err) = Fixtures.Hebb(root, "train", "csnn", "--data", root, "--layers", "2", "--grid", "3x4x2,2x2x1", "--steps", "10,6",
                                                 "--batch", "2", "--norm-images", "30", "--engine", "accelerated", "--backend", "cpu-managed", "--out", run);
        Assert.True(code == 0, output + err);
        foreach (var f in new[] { "options.json", "metrics.jsonl", "report.md", "utilization.png", "class-maps-layer-1.png", "class-maps-layer-2.png",
                                  "layer-1/filters-0.png", "layer-1/filters-1.png", "layer-1/masks-1.png", "layer-1/weights-1.npy", "layer-1/norm.npy",
                                  "layer-2/weights-0.npy", "layer-2/masks-0.npy", "layer-2/norm.npy" })
            Assert.True(File.Exists(Path.Combine(run, f)), $"{f} missing");
        var w = Hebb.Data.Npy.Read(Path.Combine(run, "layer-1", "weights-0.npy"));
        Assert.Equal((12, 27), (w.Rows, w.Cols));
        for (int r = 0; r < w.Rows; r++)   // eq. 5: every weight vector a unit vector after training
            Assert.InRange(Math.Sqrt(w.Row(r).ToArray().Sum(x => (double)x * x)), 1 - 1e-5, 1 + 1e-5);
        // The second layer sees the first's 24 channels (2 maps of 12 neurons), pooled to 16 x 16, through masks between layers.
        Assert.Equal((4, 9 * 24), (Hebb.Data.Npy.Read(Path.Combine(run, "layer-2", "weights-0.npy")).Rows, Hebb.Data.Npy.Read(Path.Combine(run, "layer-2", "weights-0.npy")).Cols));
        Assert.Equal((4, 24), (Hebb.Data.Npy.Read(Path.Combine(run, "layer-2", "masks-0.npy")).Rows, Hebb.Data.Npy.Read(Path.Combine(run, "layer-2", "masks-0.npy")).Cols));
        var norm = Hebb.Data.Npy.Read(Path.Combine(run, "layer-1", "norm.npy"));
        Assert.Equal((2, 24), (norm.Rows, norm.Cols));
        Assert.All(norm.Row(1).ToArray(), v => Assert.True(v > 0, "a channel's variance is 0"));
        var lines = File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!).ToList();
        Assert.Equal(10, lines.Count(l => (int)l["layer"]! == 1));
        Assert.Equal(6, lines.Count(l => (int)l["layer"]! == 2));
        Assert.InRange((double)lines[^1]["utilization"]!, 1.0 / 4, 1.0);
        Assert.Contains("| 2 | 2x2x1 | 3, 1, 1 | 1.5 | between layers (eq. 15) | 6 |", File.ReadAllText(Path.Combine(run, "report.md")));

        // The probes take the last block's output: 4 channels x 8 x 8; the features are kept and taken back.
        string features = Path.Combine(root, "features");
        (code, output, err) = Fixtures.Hebb(root, "eval", run, "--probe", "linear", "--epochs", "2", "--data", root, "--features", features, "--backend", "cpu-managed");
        Assert.True(code == 0, output + err);
        var report = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(run, "eval-linear", "report.json")))!;
        Assert.Equal(256, (int)report["features"]!);
        Assert.InRange((double)report["utilization"]!, 0.0, 1.0);
        Assert.True(File.Exists(Path.Combine(features, "train-0.npy")) && File.Exists(Path.Combine(features, "test.npy")) && File.Exists(Path.Combine(features, "features.json")));
        (code, output, err) = Fixtures.Hebb(root, "eval", run, "--probe", "mlp", "--epochs", "2", "--data", root, "--features", features, "--backend", "cpu-managed");
        Assert.True(code == 0, output + err);
        Assert.Contains("features from", System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " "));
        (code, output, err) = Fixtures.Hebb(root, "eval", run, "--probe", "linear", "--epochs", "2", "--data", root, "--random-baseline", "--backend", "cpu-managed");
        Assert.True(code == 0, output + err);
        Assert.Contains("random U(-1, 1) weights and masks", File.ReadAllText(Path.Combine(run, "eval-linear-random", "report.md")));

        Fixtures.Refused(root, "--grid 3x4: ROWSxCOLSxMAPS", "train", "csnn", "--data", root, "--grid", "3x4");
        Fixtures.Refused(root, "--sigma 0: a finite number > 0", "train", "csnn", "--data", root, "--sigma", "0");
        Fixtures.Refused(root, "--steps 10,10: one value for every layer, or one per layer (3)", "train", "csnn", "--data", root, "--steps", "10,10");
        Fixtures.Refused(root, "--pool", "train", "csnn", "--data", root, "--pool", "0");
        Fixtures.Refused(root, "--model x: allowed values", "train", "csnn", "--data", root, "--model", "x");
    }

    [Fact]
    public void BenchCsnnTimesTheStepsBesideTheirGemmBoundAndTheReference()
    {
        string root = Fixtures.TempDir();
        Fixtures.WriteTinyCifar(root);
        var (code, output, err) = Fixtures.Hebb(root, "bench", "csnn", "--data", root, "--grid", "2x2x2", "--steps", "6", "--repeat", "1",
                                                 "--reference-steps", "1", "--backend", "cpu-managed");
        Assert.True(code == 0, output + err);
        string flat = System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " ");
        Assert.Contains("CIFAR-10 train", flat);
        Assert.Contains("steps / GEMM-only =", flat);
        Assert.Contains("accelerated / reference speed-up =", flat);
        Fixtures.Refused(root, "--grid 2x2: ROWSxCOLSxMAPS", "bench", "csnn", "--data", root, "--grid", "2x2");
    }
}

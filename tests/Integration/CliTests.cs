using System.Text.Json.Nodes;
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
    }

    [Fact]
    public void InitResumesFromGivenWeightsAndRefusesTheWrongShape()
    {
        string root = Fixtures.WriteMnistLike(Fixtures.TempDir(), "mnist", 100, 20);
        string first = Path.Combine(root, "first");
        Assert.Equal(0, Fixtures.Hebb(root, "train", "krotov", "--data", root, "--units", "10", "--epochs", "1", "--out", first, "--k", "2").Code);
        var (code, output, err) = Fixtures.Hebb(root, "train", "krotov", "--data", root, "--units", "12", "--epochs", "1",
            "--init", Path.Combine(first, "weights.npy"), "--out", Path.Combine(root, "second"));
        Assert.Equal(2, code);
        Assert.Contains("10x784", err);
        Assert.Contains("--units 12", err);
        Assert.Equal(0, Fixtures.Hebb(root, "train", "krotov", "--data", root, "--units", "10", "--epochs", "1", "--k", "2",
            "--init", Path.Combine(first, "weights.npy"), "--out", Path.Combine(root, "second"), "--engine", "reference", "--limit", "20").Code);
    }

    [Theory]
    [InlineData("--p", "0.5", "P (the Lebesgue norm p) must be a finite number >= 1")]
    [InlineData("--k", "1", "RankK")]
    [InlineData("--epochs", "zero", "--epochs zero: an integer is required")]
    [InlineData("--backend", "tpu", "--backend tpu: allowed values are")]
    [InlineData("--backend", "cuda", "CUDA is not available: the NVIDIA driver (libcuda.so.1) not found")]
    [InlineData("--colour", "red", "unknown option --colour")]
    public void BadOptionsAreRefusedByName(string option, string value, string message)
    {
        if (value == "cuda" && Hebb.Accelerated.BackendSelector.CudaAvailable(out _)) return; // a machine with a GPU starts it
        string root = Fixtures.WriteMnistLike(Fixtures.TempDir(), "mnist", 10, 10);
        var (code, _, err) = Fixtures.Hebb(root, "train", "krotov", "--data", root, option, value, "--out", Path.Combine(root, "r"));
        Assert.Equal(2, code);
        Assert.Contains(message, err);
        Assert.False(File.Exists(Path.Combine(root, "r", "weights.npy")));
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
}

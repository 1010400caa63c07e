using System.Diagnostics;
using Xunit;

namespace Hebb.Tests.Integration;

/// <summary>The peer scripts of bench/peers, where a Python with NumPy is at hand.</summary>
public class PeerTests
{
    /// <summary>bench/peers/conv_end_to_end.py (the single block trained end to end, the control for NNL-CONV's
    /// results) computes its gradients by hand; its --check holds every parameter's gradient to central differences
    /// on a small network whose pooling windows overlap, and exits 1 on a mismatch.</summary>
    [NumpyFact]
    public void EndToEndPeerGradientsMatchFiniteDifferences()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Equivalence.sln"))) dir = dir.Parent;
        Assert.NotNull(dir);
        var (code, output) = NumpyFactAttribute.Run(Path.Combine(dir!.FullName, "bench", "peers", "conv_end_to_end.py"), "--check");
        Assert.True(code == 0, output);
        Assert.Contains("gradient check: worst relative difference", output);
        Assert.Contains("(ok)", output);
    }
}

/// <summary>Skips the test, with the reason, where no python3 can import NumPy (Debian: python3-numpy, which
/// .ci/run installs; /usr/bin/python3 is tried first, then python3 on PATH).</summary>
public sealed class NumpyFactAttribute : FactAttribute
{
    static readonly Lazy<string?> Python = new(() =>
        new[] { "/usr/bin/python3", "python3" }.FirstOrDefault(p =>
        {
            try { return Run(p, null, "-c", "import numpy").Code == 0; }
            catch (System.ComponentModel.Win32Exception) { return false; }   // not installed
        }));

    public NumpyFactAttribute()
    {
        if (Python.Value is null) Skip = "no python3 with NumPy (/usr/bin/python3 or python3 on PATH): the peers' checks do not run here";
    }

    /// <summary>Runs <paramref name="script"/> with the Python found; exit code and stdout + stderr.</summary>
    public static (int Code, string Output) Run(string script, params string[] args) => Run(Python.Value!, script, args);

    static (int Code, string Output) Run(string python, string? script, params string[] args)
    {
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (script is not null) psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}

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
        string script = Path.Combine(Fixtures.RepoRoot(), "bench", "peers", "conv_end_to_end.py");
        var (code, stdout, stderr) = Fixtures.Run(NumpyFactAttribute.Python!, null, [script, "--check"]);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("gradient check: worst relative difference", stdout);
        Assert.Contains("(ok)", stdout);
    }
}

/// <summary>Skips the test, with the reason, where no python3 can import NumPy (Debian: python3-numpy, which
/// .ci/run installs; /usr/bin/python3 is tried first, then python3 on PATH).</summary>
public sealed class NumpyFactAttribute : FactAttribute
{
    static readonly Lazy<string?> Found = new(() =>
        new[] { "/usr/bin/python3", "python3" }.FirstOrDefault(p =>
        {
            try { return Fixtures.Run(p, null, ["-c", "import numpy"]).Code == 0; }
            catch (System.ComponentModel.Win32Exception) { return false; }   // not installed
        }));

    /// <summary>The python3 that imports NumPy, or null.</summary>
    public static string? Python => Found.Value;

    public NumpyFactAttribute()
    {
        if (Python is null) Skip = "no python3 with NumPy (/usr/bin/python3 or python3 on PATH): the peers' checks do not run here";
    }
}

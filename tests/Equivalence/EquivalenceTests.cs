using Hebb.Accelerated;
using Hebb.Accelerated.Backends.Cpu;
using Hebb.Accelerated.Backends.Device;
using Hebb.Contracts;
using Hebb.Reference;
using Hebb.Verification;
using Xunit;
using Xunit.Abstractions;

namespace Hebb.Tests.Equivalence;

/// <summary>
/// Every equivalence case of Hebb.Verification.Cases (reference vs one accelerated backend).
/// One subclass per backend; a backend that cannot start here is skipped with its reason.
/// </summary>
public abstract class EquivalenceTests(ITestOutputHelper output)
{
    protected abstract IEngine Engine { get; }

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases.All) data.Add($"{c.Rule} / {c.Name}");
        return data;
    }

    protected void Run(string caseName)
    {
        var c = Cases.All.Single(x => $"{x.Rule} / {x.Name}" == caseName);
        var results = Cases.Run(c, new ReferenceEngine(), Engine);
        Assert.True(results.All(r => r.SkipReason is null), $"skipped at run time: {string.Join("; ", results.Select(r => r.SkipReason))}; " +
                    "the engine's registrations (CaseTheory's Engine type) and the engine disagree");
        foreach (var r in results) output.WriteLine(r.ToString());
        Assert.NotEmpty(results);
        var failed = results.Where(r => !r.Pass).ToList();
        Assert.True(failed.Count == 0, string.Join("\n", failed));
    }
}

public sealed class CpuOpenBlas(ITestOutputHelper output) : EquivalenceTests(output)
{
    protected override IEngine Engine { get; } = new CpuEngine(OpenBlasGemm.TryLoad(out _) ?? (IGemm)new ManagedGemm());

    [CaseTheory(typeof(CpuEngine), Backend = "openblas"), MemberData(nameof(CaseNames))]
    public void Case(string name) => Run(name);
}

public sealed class CpuManaged(ITestOutputHelper output) : EquivalenceTests(output)
{
    protected override IEngine Engine { get; } = new CpuEngine(new ManagedGemm());

    [CaseTheory(typeof(CpuEngine)), MemberData(nameof(CaseNames))]
    public void Case(string name) => Run(name);
}

/// <summary>The opencl backend on the first OpenCL device (a GPU if any; PoCL on the CPU in CI).</summary>
public sealed class OpenCl(ITestOutputHelper output) : EquivalenceTests(output), IDisposable
{
    readonly Lazy<IEngine> _engine = new(() => BackendSelector.Create("opencl"));
    protected override IEngine Engine => _engine.Value;

    [CaseTheory(typeof(DeviceEngine), Backend = "opencl"), MemberData(nameof(CaseNames))]
    public void Case(string name) => Run(name);

    public void Dispose() { if (_engine.IsValueCreated) (_engine.Value as IDisposable)?.Dispose(); }
}

/// <summary>The cuda backend (NVRTC, driver API, cuBLAS); skipped with its reason where there is no NVIDIA GPU.</summary>
public sealed class Cuda(ITestOutputHelper output) : EquivalenceTests(output), IDisposable
{
    readonly Lazy<IEngine> _engine = new(() => BackendSelector.Create("cuda"));
    protected override IEngine Engine => _engine.Value;

    [CaseTheory(typeof(DeviceEngine), Backend = "cuda"), MemberData(nameof(CaseNames))]
    public void Case(string name) => Run(name);

    public void Dispose() { if (_engine.IsValueCreated) (_engine.Value as IDisposable)?.Dispose(); }
}

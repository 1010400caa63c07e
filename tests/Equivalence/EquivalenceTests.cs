using Hebb.Accelerated;
using Hebb.Accelerated.Backends.Cpu;
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
        var results = c.Run(new ReferenceEngine(), Engine).ToList();
        foreach (var r in results) output.WriteLine(r.ToString());
        Assert.NotEmpty(results);
        var failed = results.Where(r => !r.Pass).ToList();
        Assert.True(failed.Count == 0, string.Join("\n", failed));
    }
}

public sealed class CpuOpenBlas(ITestOutputHelper output) : EquivalenceTests(output)
{
    protected override IEngine Engine { get; } = new CpuEngine(OpenBlasGemm.TryLoad(out _) ?? (IGemm)new ManagedGemm());

    [OpenBlasTheory, MemberData(nameof(CaseNames))]
    public void Case(string name) => Run(name);
}

public sealed class CpuManaged(ITestOutputHelper output) : EquivalenceTests(output)
{
    protected override IEngine Engine { get; } = new CpuEngine(new ManagedGemm());

    [Theory, MemberData(nameof(CaseNames))]
    public void Case(string name) => Run(name);
}

/// <summary>The opencl backend on the first OpenCL device (a GPU if any; PoCL on the CPU in CI).</summary>
public sealed class OpenCl(ITestOutputHelper output) : EquivalenceTests(output), IDisposable
{
    readonly Lazy<IEngine> _engine = new(() => BackendSelector.Create("opencl"));
    protected override IEngine Engine => _engine.Value;

    [BackendTheory("opencl"), MemberData(nameof(CaseNames))]
    public void Case(string name) => Run(name);

    public void Dispose() { if (_engine.IsValueCreated) (_engine.Value as IDisposable)?.Dispose(); }
}

/// <summary>The cuda backend (NVRTC, driver API, cuBLAS); skipped with its reason where there is no NVIDIA GPU.</summary>
public sealed class Cuda(ITestOutputHelper output) : EquivalenceTests(output), IDisposable
{
    readonly Lazy<IEngine> _engine = new(() => BackendSelector.Create("cuda"));
    protected override IEngine Engine => _engine.Value;

    [BackendTheory("cuda"), MemberData(nameof(CaseNames))]
    public void Case(string name) => Run(name);

    public void Dispose() { if (_engine.IsValueCreated) (_engine.Value as IDisposable)?.Dispose(); }
}

/// <summary>Skips the theory, with the reason, where the backend cannot start.</summary>
public sealed class BackendTheoryAttribute : TheoryAttribute
{
    static readonly Dictionary<string, string?> Reasons = new();

    public BackendTheoryAttribute(string backend)
    {
        lock (Reasons)
        {
            if (!Reasons.TryGetValue(backend, out var why))
            {
                try { (BackendSelector.Create(backend) as IDisposable)?.Dispose(); why = null; }
                catch (NotSupportedException ex) { why = ex.Message; }
                Reasons[backend] = why;
            }
            if (why is not null) Skip = $"{backend} backend not present: {why}";
        }
    }
}

/// <summary>Skips the theory, with the reason, where OpenBLAS cannot be loaded.</summary>
public sealed class OpenBlasTheoryAttribute : TheoryAttribute
{
    public OpenBlasTheoryAttribute()
    {
        if (BackendSelector.OpenBlasMissing() is { } why) Skip = "cpu (OpenBLAS) backend not present: " + why;
    }
}

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

/// <summary>Skips the theory, with the reason, where OpenBLAS cannot be loaded.</summary>
public sealed class OpenBlasTheoryAttribute : TheoryAttribute
{
    public OpenBlasTheoryAttribute()
    {
        if (BackendSelector.OpenBlasMissing() is { } why) Skip = "cpu (OpenBLAS) backend not present: " + why;
    }
}

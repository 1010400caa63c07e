using Hebb.Accelerated.Backends.Cpu;
using Hebb.Accelerated.Backends.Device;
using Hebb.Contracts;
using Hebb.Reference;
using Hebb.Tests.Equivalence;
using Hebb.Verification;
using Xunit;

[assembly: NotImplementedOn(typeof(PartialEngine), typeof(INnlConvFactory), "a test engine that has Krotov's rule only")]

namespace Hebb.Tests.Equivalence;

/// <summary>An engine that implements one rule (Krotov &amp; Hopfield's, by the reference's layer) and says why it lacks
/// NNL-CONV: what a backend that has not ported a rule looks like.</summary>
public sealed class PartialEngine : EngineBase
{
    public override string Name => "partial (test)";
    public int FactoriesMade;
}

[Implements(typeof(PartialEngine))]
public sealed class PartialKrotovFactory : IKrotovFactory
{
    public PartialKrotovFactory(PartialEngine engine) => engine.FactoriesMade++;
    public IKrotovLayer Create(KrotovOptions options, Matrix initialWeights) => new ReferenceKrotovLayer(options, initialWeights);
}

/// <summary>Rules register themselves: engines find their implementations, and a missing one is reported with its
/// reason by the engine, by <c>hebb verify</c>'s runner and by the tests' discovery.</summary>
public class EngineRegistryTests
{
    [Fact]
    public void AnEngineFindsTheFactoryItsRuleRegisteredAndMakesItOnce()
    {
        var engine = new PartialEngine();
        var o = new KrotovOptions { Units = 3, Inputs = 4 };
        using (engine.CreateKrotov(o, Seeded.Normal(3, 4, 1))) { }
        using (engine.CreateKrotov(o, Seeded.Normal(3, 4, 2))) { }
        Assert.Equal(1, engine.FactoriesMade);
        Assert.True(engine.Implements(new KrotovRule(), out _));
    }

    [Fact]
    public void AMissingRuleIsReportedWithTheEnginesReason()
    {
        var engine = new PartialEngine();
        Assert.False(engine.Implements(new NnlConvRule(), out var why));
        Assert.Contains("a test engine that has Krotov's rule only", why);
        var ex = Assert.Throws<NotSupportedException>(() => engine.CreateNnlConv(new NnlConvOptions(), new Matrix(400, 48)));
        Assert.Contains("INnlConvFactory", ex.Message);
        Assert.Contains("a test engine that has Krotov's rule only", ex.Message);
        // Without a stated reason, the engine still names what it lacks.
        Assert.False(engine.Implements(new TopLayerRule(), out why));
        Assert.Contains("no implementation of ITopLayerFactory", why);
    }

    [Fact]
    public void CasesOfARuleTheEngineLacksAreSkippedWithTheReasonAndTheOthersRun()
    {
        var engine = new PartialEngine();
        var nnl = Cases.All.First(c => c.Rule == "nnl-conv");
        var skipped = Assert.Single(Cases.Run(nnl, new ReferenceEngine(), engine));
        Assert.Contains("a test engine that has Krotov's rule only", skipped.SkipReason);
        var krotov = Cases.All.First(c => c.Rule == "krotov");
        Assert.All(Cases.Run(krotov, new ReferenceEngine(), engine), r => { Assert.Null(r.SkipReason); Assert.True(r.Pass, r.ToString()); });
        // The tests' discovery decides the same from the registrations alone.
        Assert.Contains("a test engine that has Krotov's rule only", CaseTheoryDiscoverer.SkipReason(typeof(PartialEngine), $"{nnl.Rule} / {nnl.Name}"));
        Assert.Null(CaseTheoryDiscoverer.SkipReason(typeof(PartialEngine), $"{krotov.Rule} / {krotov.Name}"));
    }

    /// <summary>The reference and the cpu backend implement every rule (a card promises both); a GPU backend implements
    /// it or says why not with [NotImplementedOn] (never the bare "no implementation").</summary>
    [Fact]
    public void EveryRuleIsImplementedOrSaysWhyNot()
    {
        foreach (var rule in Rules.All)
        {
            Assert.True(EngineBase.Missing(typeof(ReferenceEngine), rule) is null, $"the reference lacks {rule.Name}");
            Assert.True(EngineBase.Missing(typeof(CpuEngine), rule) is null, $"the cpu backend lacks {rule.Name}: {EngineBase.Missing(typeof(CpuEngine), rule)}");
            if (EngineBase.Missing(typeof(DeviceEngine), rule) is { } why) Assert.DoesNotContain("no implementation of", why);
        }
    }

    [Fact]
    public void EveryCaseNamesARuleWithACardAndEveryRuleHasCases()
    {
        Assert.All(Cases.All, c => Assert.NotNull(Rules.Find(c.Rule)));
        Assert.All(Rules.All, r => Assert.Contains(Cases.All, c => c.Rule == r.Name));
        Assert.Equal("nnl-conv", Rules.Find("conv")?.Name);
    }

    [Fact]
    public void EveryRuleKernelFileIsEmbeddedOnce()
    {
        var files = KernelSource.Files;
        Assert.Equal("gemm.cl", files[0]);
        Assert.Equal(files.Count, files.Distinct().Count());
        foreach (var f in new[] { "krotov.cl", "top.cl", "probe.cl", "nnl-conv.cl" }) Assert.Contains(f, files);
    }
}

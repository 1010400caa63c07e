using Hebb.Contracts;
using Hebb.Reference;
using Hebb.Verification;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Hebb.Tests.Equivalence;

/// <summary>
/// A theory over the equivalence cases (<see cref="EquivalenceTests.CaseNames"/>) for the engine type
/// <see cref="Engine"/>: a case whose rule that engine (or the reference) does not implement is skipped with the
/// reason the engine gives (<see cref="EngineBase.Missing"/>), decided from the rules' registrations without starting
/// the engine. With <see cref="Backend"/> set, the whole theory is skipped, with the reason, where that backend cannot
/// start here.
/// </summary>
[XunitTestCaseDiscoverer("Hebb.Tests.Equivalence.CaseTheoryDiscoverer", "Equivalence")]
public sealed class CaseTheoryAttribute(Type engine) : TheoryAttribute
{
    public Type Engine { get; } = engine;

    /// <summary>The backend the theory's engine runs on (a <see cref="Hebb.Accelerated.BackendSelector"/> name, or
    /// "openblas"); where it cannot start, the theory is skipped with the reason.</summary>
    public string? Backend
    {
        get;
        set { field = value; if (value is not null && BackendPresence.WhyNot(value) is { } why) Skip = why; }
    }
}

/// <summary>Makes a skipped test case, with the engine's reason, of each case whose rule the engine does not implement.</summary>
public sealed class CaseTheoryDiscoverer(IMessageSink diagnosticMessageSink) : TheoryDiscoverer(diagnosticMessageSink)
{
    protected override IEnumerable<IXunitTestCase> CreateTestCasesForDataRow(
        ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo theoryAttribute, object[] dataRow)
    {
        var engine = (Type)theoryAttribute.GetConstructorArguments().First();
        if (dataRow.Length == 1 && dataRow[0] is string name && SkipReason(engine, name) is { } why)
            return [new XunitSkippedDataRowTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(),
                        discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, why, dataRow)];
        return base.CreateTestCasesForDataRow(discoveryOptions, testMethod, theoryAttribute, dataRow);
    }

    /// <summary>Why a case (named "rule / case") cannot run on the engine type, or null.</summary>
    public static string? SkipReason(Type engine, string caseName)
    {
        var c = Cases.All.Single(x => $"{x.Rule} / {x.Name}" == caseName);
        var rule = Rules.Find(c.Rule)!;
        return EngineBase.Missing(typeof(ReferenceEngine), rule) ?? EngineBase.Missing(engine, rule);
    }
}

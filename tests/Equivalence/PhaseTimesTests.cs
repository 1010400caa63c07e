using Hebb.Accelerated.Rules.Krotov;
using System.Diagnostics;
using Hebb.Accelerated.Backends.Cpu;
using Hebb.Contracts;
using Hebb.Verification;
using Xunit;

namespace Hebb.Tests.Equivalence;

/// <summary>
/// CpuKrotovLayer.Phases with a PhaseTimes (the phase timing hebb bench nnl-conv reports): a timed layer steps bit for bit as an untimed
/// one, counts every step, and its phases are non-negative and add up to no more than the time around the steps.
/// </summary>
public class PhaseTimesTests
{
    [Theory]
    [InlineData(KrotovVariant.Paper), InlineData(KrotovVariant.AuthorsCode)]
    public void TimingChangesNothingAndCountsEveryStep(KrotovVariant variant)
    {
        var o = new KrotovOptions { Units = 40, Inputs = 12, P = 2, RankK = 2, Delta = 0.2, Variant = variant };
        var w0 = Seeded.Normal(o.Units, o.Inputs, 5);
        var data = Seeded.Uniform(130, o.Inputs, 6);
        using var plain = new CpuKrotovLayer(new ManagedGemm(), o, w0);
        var times = new PhaseTimes(CpuKrotovLayer.PhaseNames);
        using var timed = new CpuKrotovLayer(new ManagedGemm(), o, w0) { Phases = times };
        Assert.Null(plain.Phases);
        int steps = 0;
        var sw = Stopwatch.StartNew();
        foreach (var v in MatrixSource.Batches(data, 20))
        {
            plain.Step(v, 0.05);
            timed.Step(v, 0.05);
            steps++;
        }
        double wall = sw.Elapsed.TotalSeconds;
        Assert.Equal(7, steps);   // 130 rows in minibatches of 20: six full and one of 10
        var t = times;
        Assert.Equal(steps, t.Steps);
        Assert.Equal(plain.ReadWeights().Data, timed.ReadWeights().Data);
        double[] phases = [t["currents"], t["rank"], t["decide"], t["update"]];
        Assert.All(phases, p => Assert.True(p >= 0, $"a phase took {p} s"));
        Assert.True(phases.Sum() > 0 && phases.Sum() <= wall, $"phases sum to {phases.Sum()} s; the steps of both layers took {wall} s");
    }
}

using Hebb.Accelerated.Rules.Krotov;
using Hebb.Accelerated.Backends.Cpu;
using Hebb.Contracts;
using Hebb.Verification;
using Xunit;

namespace Hebb.Tests.Equivalence;

/// <summary>
/// The cpu backend's own pass over a minibatch source (CpuKrotovLayer.Learn: each step's samples split over threads,
/// each thread updating the rows it owns, the next minibatch made by the same threads) against its Step on each
/// minibatch in order: equal bit for bit, whatever the number of threads, with the managed GEMM (each current a dot
/// product on its own); with OpenBLAS, whose rounding of an element depends on how the product's rows are blocked
/// (measured: 100x400x48 split at any row changes 1,600 to 5,200 of its 40,000 currents in the last bit), equal up to
/// that rounding. (Step itself is compared with the reference in EquivalenceTests.)
/// </summary>
public class LearnTests
{
    static IGemm[] Gemms() => OpenBlasGemm.TryLoad(out _) is { } ob ? [new ManagedGemm(), ob] : [new ManagedGemm()];

    public static TheoryData<KrotovVariant, double, int> Settings() => new()
    {
        { KrotovVariant.Paper, 2, 1 }, { KrotovVariant.Paper, 2, 2 }, { KrotovVariant.Paper, 2, 3 }, { KrotovVariant.Paper, 2, 5 },
        { KrotovVariant.Paper, 3, 2 }, { KrotovVariant.AuthorsCode, 2, 2 }, { KrotovVariant.AuthorsCode, 3, 3 }, { KrotovVariant.AuthorsCode, 2, 1 },
        { KrotovVariant.Paper, 2, 30 },   // lanes of 1 unit (ranked by rows) beside lanes of 2 (ranked by columns)
    };

    [Theory, MemberData(nameof(Settings))]
    public void ThePassEqualsStepsOneByOne(KrotovVariant variant, double p, int workers)
    {
        // K = 41 and batches of 13 (the last of 4): neither divides among the threads; m = 2, Delta = 0.2 as NNL-CONV.
        var o = new KrotovOptions { Units = 41, Inputs = 48, P = p, RankK = 2, Delta = 0.2, Variant = variant };
        var w0 = Seeded.Normal(o.Units, o.Inputs, 3);
        var data = Seeded.Uniform(160, o.Inputs, 4);
        foreach (var gemm in Gemms())
        {
            using var one = new CpuKrotovLayer(gemm, o, w0);
            foreach (var v in MatrixSource.Batches(data, 13)) one.Step(v, 0.3);
            using var pass = new CpuKrotovLayer(gemm, o, w0) { Threads = workers };
            int steps = 0;
            pass.Learn(new MatrixSource(data, 13), 0.3, () => steps++);
            Assert.Equal(13, steps);
            var expected = one.ReadWeights();
            Assert.NotEqual(w0.Data, expected.Data);
            if (gemm is ManagedGemm || workers == 1) Assert.Equal(expected.Data, pass.ReadWeights().Data);
            else
            {
                var c = Compare.Matrices("krotov", "pass against steps", expected, pass.ReadWeights(), KrotovTolerances.Trajectory);
                Assert.True(c.Pass, c.ToString());
            }
        }
    }

    /// <summary>A source that fails on its third minibatch, after having filled part of it.</summary>
    sealed class Failing(Matrix data, int batch, string where) : IMinibatchSource
    {
        readonly MatrixSource _inner = new(data, batch);
        int _next, _fills;
        public int Columns => data.Cols;
        public int MaxRows => batch;
        public int Next()
        {
            if (++_next == 3 && where == "next") throw new InvalidOperationException("next failed");
            return _inner.Next();
        }
        public void Fill(int from, int to, Span<float> rows)
        {
            if (_next == 3 && where == "fill" && Interlocked.Increment(ref _fills) == 1) throw new InvalidOperationException("fill failed");
            _inner.Fill(from, to, rows);
        }
    }

    [Theory]
    [InlineData("next", 1)] [InlineData("next", 2)] [InlineData("fill", 2)] [InlineData("fill", 3)] [InlineData("after", 2)]
    public async Task AFailureStopsThePassAndIsRethrown(string where, int workers)
    {
        var o = new KrotovOptions { Units = 10, Inputs = 6, P = 2, RankK = 2, Delta = 0.2, Variant = KrotovVariant.Paper };
        using var layer = new CpuKrotovLayer(new ManagedGemm(), o, Seeded.Normal(10, 6, 5)) { Threads = workers };
        var data = Seeded.Uniform(50, 6, 6);
        int steps = 0;
        var run = Task.Run(() => layer.Learn(new Failing(data, 5, where), 0.1, () =>
        {
            if (++steps == 2 && where == "after") throw new InvalidOperationException("after failed");
        }));
        Assert.Same(run, await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60))));
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => run);
        Assert.Equal($"{where} failed", ex.Message);
    }

    /// <summary>A minibatch with a NaN stops the pass before its step, naming the source and the value; the steps before
    /// it are kept, as Step would keep them.</summary>
    [Theory, InlineData(1), InlineData(2)]
    public void ANaNInAMinibatchStopsThePassBeforeItsStep(int workers)
    {
        var o = new KrotovOptions { Units = 12, Inputs = 6, P = 2, RankK = 2, Delta = 0.2, Variant = KrotovVariant.Paper };
        var w0 = Seeded.Normal(12, 6, 9);
        var data = Seeded.Uniform(40, 6, 10);
        data[17, 4] = float.NaN;   // the fourth minibatch of 5
        using var one = new CpuKrotovLayer(new ManagedGemm(), o, w0);
        foreach (var v in MatrixSource.Batches(data, 5).Take(3)) one.Step(v, 0.2);
        using var pass = new CpuKrotovLayer(new ManagedGemm(), o, w0) { Threads = workers };
        var ex = Assert.Throws<ArgumentException>(() => pass.Learn(new MatrixSource(data, 5), 0.2));
        Assert.Equal("source", ex.ParamName);
        Assert.Contains("[2,4] = NaN", ex.Message);   // row 2 of that minibatch
        Assert.Equal(one.ReadWeights().Data, pass.ReadWeights().Data);
    }

    [Fact]
    public void BadInputIsRefusedByNameAndTheWeightsAreKept()
    {
        var o = new KrotovOptions { Units = 8, Inputs = 6, P = 2, RankK = 2, Delta = 0.2, Variant = KrotovVariant.Paper };
        var w0 = Seeded.Normal(8, 6, 7);
        using var layer = new CpuKrotovLayer(new ManagedGemm(), o, w0);
        Assert.Equal("source", Assert.Throws<ArgumentException>(() => layer.Learn(new MatrixSource(Seeded.Uniform(10, 5, 8), 4), 0.1)).ParamName);
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => layer.Learn(null!, 0.1)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => layer.Learn(new MatrixSource(Seeded.Uniform(10, 6, 8), 4), -1));
        var workers = Assert.Throws<ArgumentOutOfRangeException>(() => layer.Threads = 0);
        Assert.Equal("Threads", workers.ParamName);
        Assert.Contains("0", workers.Message);
        Assert.Equal(w0.Data, layer.ReadWeights().Data);
    }
}

using Hebb.Accelerated.Backends.Cpu;
using Hebb.Contracts;
using Hebb.Reference;
using Hebb.Verification;
using Xunit;

namespace Hebb.Tests.Equivalence;

/// <summary>The contracts for the shapes ahead: shaped tensors, a rule's state as named tensors, step values and
/// schedules of a rule's own.</summary>
public class ContractsTests
{
    [Fact]
    public void ATensorIsChannelMajorAndSharesItsDataWithItsMatrix()
    {
        var t = new Tensor(2, 3, 4, 5);
        Assert.Equal(120, t.Length);
        t[1, 2, 3, 4] = 7f;
        Assert.Equal(7f, t.Data[((1 * 3 + 2) * 4 + 3) * 5 + 4]);
        var m = t.AsMatrix();
        Assert.Equal((2, 60), (m.Rows, m.Cols));
        Assert.Same(t.Data, m.Data);
        Assert.Equal(7f, t.Sample(1)[(2 * 4 + 3) * 5 + 4]);
        var back = Tensor.Of(m, 2, 3, 4, 5);
        Assert.Equal(7f, back[1, 2, 3, 4]);
    }

    [Fact]
    public void BadShapesAndIndicesAreRefusedByName()
    {
        Assert.Contains("shape[1] = -1", Assert.Throws<ArgumentOutOfRangeException>(() => new Tensor(2, -1)).Message);
        Assert.Contains("rank 5", Assert.Throws<ArgumentException>(() => new Tensor(1, 1, 1, 1, 1)).Message);
        Assert.Contains("needs 6", Assert.Throws<ArgumentException>(() => new Tensor([2, 3], new float[5])).Message);
        Assert.Contains("most one array holds", Assert.Throws<ArgumentOutOfRangeException>(() => new Tensor(100_000, 100_000)).Message);
        Assert.Contains("outside the shape 2 x 3 x 4 x 5", Assert.Throws<IndexOutOfRangeException>(() => new Tensor(2, 3, 4, 5)[0, 3, 0, 0]).Message);
        Assert.Contains("rank-4", Assert.Throws<InvalidOperationException>(() => new Tensor(2, 3)[0, 0, 0, 0]).Message);
    }

    [Fact]
    public void ARuleStateKeepsItsNamesInOrderAndNamesWhatIsMissing()
    {
        var s = new RuleState { { "weights/0", new Tensor(4, 9) }, { "masks/0", new Tensor(4, 9) }, { "relevances", new Tensor(4) } };
        Assert.Equal(["weights/0", "masks/0", "relevances"], s.Names);
        Assert.Equal([4], s["relevances"].Shape);
        Assert.Contains("it has weights/0, masks/0, relevances", Assert.Throws<KeyNotFoundException>(() => s["nodes"]).Message);
        Assert.Throws<ArgumentException>(() => s.Add("masks/0", new Tensor(1)));
    }

    [Fact]
    public void LinearDecayIsThePapersScheduleByEpoch()
    {
        var d = new LinearDecay(0.04);
        Assert.Equal(0.04, d.At(new TrainingTime(0, 100, 0, 600)).LearningRate);
        Assert.Equal(0.04 * (1.0 - 37.0 / 100), d.At(new TrainingTime(37, 100, 599, 600)).LearningRate);
        Assert.Equal(0.04 * (1.0 - 99.0 / 100), d.At(new TrainingTime(99, 100, 0, 600)).LearningRate);
    }

    [Fact]
    public void AKrotovLayerIsALearnerOfItsOwnStepValuesOnEveryEngine()
    {
        var o = new KrotovOptions { Units = 9, Inputs = 11, RankK = 3 };
        foreach (IEngine engine in new IEngine[] { new ReferenceEngine(), new CpuEngine(new ManagedGemm()) })
        {
            var w0 = Seeded.Normal(9, 11, 3);
            var v = Seeded.Uniform(5, 11, 4);
            using var a = engine.CreateKrotov(o, w0);
            using ILearner<KrotovStep> b = engine.CreateKrotov(o, w0);
            a.Step(v, 0.03);
            b.Step(v, new KrotovStep(0.03));
            Assert.Equal(a.ReadWeights().Data, b.ReadState()["weights"].Data);
            Assert.Equal([9, 11], b.ReadState()["weights"].Shape);
        }
    }
}

using Hebb.Accelerated;
using Hebb.Contracts;
using Hebb.Reference;
using Hebb.Runs;
using Xunit;

namespace Hebb.Tests.Integration;

/// <summary>The CSNN model's batch norm statistics (section III-F) against the reference's literal ones.</summary>
public class CsnnModelTests
{
    [Fact]
    public void EstimatedStatisticsAreTheReferencesChannelStatistics()
    {
        var o = new CsnnOptions { Height = 6, Width = 5, Channels = 2, GridRows = 2, GridCols = 2, Maps = 2, Pool = 2 };
        var rng = new Random(5);
        var w = Enumerable.Range(0, o.Maps).Select(_ => Randomize.Uniform(o.Neurons, o.PatchSize, rng)).ToArray();
        var m = Enumerable.Range(0, o.Maps).Select(_ => Randomize.Uniform(o.Neurons, o.MaskSize, rng)).ToArray();
        var images = Randomize.Uniform(150, o.Height * o.Width * o.Channels, rng);   // more than one chunk of 64
        using var model = new CsnnModel([BackendSelector.Create("cpu-managed").CreateCsnn(o, w, m)]);
        var estimated = model.Estimate(0, images, CsnnNorm.Batch);
        using var reference = new ReferenceCsnnLayer(o, w, m);
        var y = ((ICsnnLayer)reference).Forward(images);
        var outputs = Enumerable.Range(0, y.Rows).Select(r => y.Row(r).ToArray().Select(v => (double)v).ToArray()).ToArray();
        var (mean, variance) = Csnn.channelStatistics(o.OutChannels, o.Positions, outputs);
        for (int c = 0; c < o.OutChannels; c++)
        {
            Assert.InRange(estimated.Mean[c], mean[c] - 1e-5, mean[c] + 1e-5);
            Assert.InRange(estimated.Variance[c], variance[c] * (1 - 1e-4) - 1e-6, variance[c] * (1 + 1e-4) + 1e-6);
        }
        Assert.Equal(CsnnNormalization.BatchNormEpsilon, estimated.Epsilon);
        Assert.Equal(0f, model.Estimate(0, images, CsnnNorm.Code).Mean[0]);
        Assert.Equal(0.0, model.Estimate(0, images, CsnnNorm.None).Epsilon);
    }
}

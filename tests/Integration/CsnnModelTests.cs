using Hebb.Accelerated;
using Hebb.Contracts;
using Hebb.Reference;
using Hebb.Runs;
using Xunit;

namespace Hebb.Tests.Integration;

/// <summary>The CSNN model: its layers' padding "same", and its batch norm statistics (section III-F) against the reference's literal ones.</summary>
public class CsnnModelTests
{
    /// <summary>TensorFlow's "same": ceil(n / s) positions, an odd remainder of the padding after. S-CSNN's first layer
    /// (stride 2 on CIFAR-10's 32 x 32) pads 0 before and 1 after and has 16 x 16 positions; stride 1 pads 1 and 1.</summary>
    [Fact]
    public void LayersPadAsTensorFlowsSame()
    {
        Assert.Equal((0, 1), CsnnLayerSpec.SamePadding(32, 3, 2));
        Assert.Equal((1, 1), CsnnLayerSpec.SamePadding(32, 3, 1));
        Assert.Equal((1, 1), CsnnLayerSpec.SamePadding(7, 3, 2));
        Assert.Equal((0, 0), CsnnLayerSpec.SamePadding(4, 1, 2));
        var first = CsnnModels.Small[0].Options(32, 32, 3, 3, 2, new CsnnOptions()).Validate();
        Assert.Equal((0, 1, 16, 16), (first.Padding, first.PadAfter, first.OutHeight, first.OutWidth));
        var second = CsnnModels.Small[1].Options(8, 8, 100, 3, 2, new CsnnOptions()).Validate();
        Assert.Equal((1, 1, 8), (second.Padding, second.PadAfter, second.OutHeight));
    }

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

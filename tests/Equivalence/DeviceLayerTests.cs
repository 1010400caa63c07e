using Hebb.Accelerated.Backends.Device;
using Hebb.Accelerated.Rules.Krotov;
using Hebb.Accelerated.Rules.NnlConv;
using Hebb.Contracts;
using Hebb.Verification;
using Xunit;

namespace Hebb.Tests.Equivalence;

/// <summary>The GPU layers' shared base (DeviceLayer): state buffers held until Dispose, batch buffers made again only
/// for a larger batch, everything freed by Dispose; checked on a device that only counts.</summary>
public class DeviceLayerTests
{
    sealed class CountingDevice : IDevice
    {
        public int Live, Made;
        sealed class Buffer(CountingDevice d, int length) : DeviceBuffer(length)
        {
            bool _freed;
            public override void Dispose() { if (!_freed) { _freed = true; d.Live--; } }
        }
        public string Name => "counting";
        public DeviceBuffer Alloc(int length) { Live++; Made++; return new Buffer(this, length); }
        public void Write(DeviceBuffer buffer, ReadOnlySpan<float> data) { }
        public void Write(DeviceBuffer buffer, ReadOnlySpan<int> data) { }
        public void Read(DeviceBuffer buffer, Span<float> data) { }
        public void Read(DeviceBuffer buffer, Span<int> data) { }
        public void Launch(string kernel, int globalX, int globalY, int localX, int localY, params Arg[] args) { }
        public void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, DeviceBuffer a, int lda, DeviceBuffer b, int ldb, float beta, DeviceBuffer c, int ldc) { }
        public void Finish() { }
        public void Dispose() { }
    }

    [Fact]
    public void BatchBuffersGrowOnlyForALargerBatchAndDisposeFreesEverything()
    {
        var dev = new CountingDevice();
        var o = new KrotovOptions { Units = 7, Inputs = 5, RankK = 2 };
        var layer = new DeviceKrotovLayer(dev, o, Seeded.Normal(7, 5, 1));
        int state = dev.Live;
        Assert.True(state > 0);
        layer.Step(Seeded.Uniform(4, 5, 2), 0.1);
        int afterFirst = dev.Live, madeFirst = dev.Made;
        Assert.True(afterFirst > state);
        layer.Step(Seeded.Uniform(3, 5, 3), 0.1);      // smaller: the batch buffers are reused
        Assert.Equal(madeFirst, dev.Made);
        layer.Step(Seeded.Uniform(9, 5, 4), 0.1);      // larger: made again, the old ones freed
        Assert.Equal(afterFirst, dev.Live);
        Assert.True(dev.Made > madeFirst);
        layer.Dispose();
        Assert.Equal(0, dev.Live);
        layer.Dispose();                                // twice is harmless
        Assert.Equal(0, dev.Live);
        Assert.Throws<ObjectDisposedException>(() => layer.ReadWeights());
        Assert.Throws<ObjectDisposedException>(() => layer.Step(Seeded.Uniform(2, 5, 5), 0.1));
    }

    [Fact]
    public void ARefusedInputAllocatesNothing()
    {
        var dev = new CountingDevice();
        var o = new NnlConvOptions { Height = 6, Width = 6, Channels = 1, Window = 3, Filters = 2, Power = 1, PoolWindow = 1, PoolStride = 1 };
        using var layer = new DeviceNnlConvLayer(dev, o, Seeded.Normal(2, 9, 1));
        int made = dev.Made;
        Assert.Throws<ArgumentException>(() => layer.Forward(new Matrix(2, 35)));
        Assert.Equal(made, dev.Made);
    }
}

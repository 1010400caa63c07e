using Hebb.Accelerated.Rules.NnlConv;
using Hebb.Accelerated.Rules.Krotov;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Hebb.Accelerated.Backends.Cpu;
using Hebb.Contracts;

namespace Hebb.Bench;

/// <summary>
/// One fast-rule step (Krotov &amp; Hopfield, section 3) beside the currents GEMM it is bound by, per GEMM
/// provider. Run: dotnet run -c Release --project bench/Micro -- --filter '*'
/// </summary>
[MemoryDiagnoser]
public class KrotovStep
{
    [Params("openblas", "managed")] public string Gemm { get; set; } = "openblas";
    [Params(100, 1000)] public int Batch { get; set; }

    const int Units = 2000, Inputs = 784;
    IKrotovLayer _layer = null!;
    IGemm _gemm = null!;
    Matrix _batch = null!;
    float[] _wp = null!, _out = null!;

    [GlobalSetup]
    public void Setup()
    {
        _gemm = Gemm == "openblas" ? OpenBlasGemm.TryLoad(out var why) ?? throw new InvalidOperationException(why) : new ManagedGemm();
        var rng = new Random(1);
        var w = new Matrix(Units, Inputs);
        for (int i = 0; i < w.Data.Length; i++) w.Data[i] = (float)(rng.NextDouble() * 2 - 1);
        _batch = new Matrix(Batch, Inputs);
        for (int i = 0; i < _batch.Data.Length; i++) _batch.Data[i] = (float)rng.NextDouble();
        _layer = new CpuEngine(_gemm).CreateKrotov(new KrotovOptions { Units = Units, Inputs = Inputs }, w);
        _wp = (float[])w.Data.Clone();
        _out = new float[Batch * Units];
    }

    [Benchmark(Baseline = true)]
    public void CurrentsGemmOnly() => _gemm.Sgemm(false, true, Batch, Units, Inputs, 1f, _batch.Data, Inputs, _wp, Inputs, 0f, _out, Units);

    [Benchmark]
    public void Step() => _layer.Step(_batch, 1e-6);
}

public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}

/// <summary>
/// One step of eq. 1 (Grinberg, Hopfield &amp; Krotov 2019; --variant paper) in the shape of hebb bench nnl-conv:
/// 400 filters of 4x4x3, minibatches of 100 unit-length patches, beside its currents GEMM, for both GEMM providers.
/// Run: dotnet run -c Release --project bench/Micro -- --filter '*ConvFilterStep*'
/// </summary>
public class ConvFilterStep
{
    const int Units = 400, Inputs = 48, Batch = 100, Batches = 64;
    [Params("openblas", "managed")] public string Gemm { get; set; } = "openblas";
    IKrotovLayer _layer = null!, _byRows = null!;
    IGemm _gemm = null!;
    Matrix[] _batches = null!;
    float[] _w = null!, _out = null!;
    int _next;

    [GlobalSetup]
    public void Setup()
    {
        _gemm = Gemm == "openblas" ? OpenBlasGemm.TryLoad(out var why) ?? throw new InvalidOperationException(why) : new ManagedGemm();
        var rng = new Random(1);
        var w = new Matrix(Units, Inputs);
        for (int i = 0; i < w.Data.Length; i++) w.Data[i] = (float)(rng.NextDouble() * 2 - 1);
        _batches = new Matrix[Batches];
        for (int b = 0; b < Batches; b++)
        {
            _batches[b] = new Matrix(Batch, Inputs);
            for (int i = 0; i < _batches[b].Data.Length; i++) _batches[b].Data[i] = (float)rng.NextDouble();
            for (int r = 0; r < Batch; r++)
            {
                var row = _batches[b].Data.AsSpan(r * Inputs, Inputs);
                System.Numerics.Tensors.TensorPrimitives.Divide(row, System.Numerics.Tensors.TensorPrimitives.Norm(row), row);
            }
        }
        var rule = new KrotovOptions { Units = Units, Inputs = Inputs, RankK = 2, Delta = 0.2, Variant = KrotovVariant.Paper };
        _layer = new CpuEngine(_gemm).CreateKrotov(rule, w);
        _byRows = new CpuKrotovLayer(_gemm, rule, w) { RankByColumns = false };
        _w = (float[])w.Data.Clone();
        _out = new float[Batch * Units];
        CurrentsGemmOnly();   // RankRows ranks these currents
        CurrentsGemmByColumns();   // and RankColumns these
    }

    [Benchmark(Baseline = true)]
    public void CurrentsGemmOnly() => _gemm.Sgemm(false, true, Batch, Units, Inputs, 1f, _batches[_next++ % Batches].Data, Inputs, _w, Inputs, 0f, _out, Units);

    /// <summary>The same product with a column per sample (Wp V^T, rows of Ld samples), as the layer computes it where
    /// it ranks by columns.</summary>
    [Benchmark]
    public void CurrentsGemmByColumns() => _gemm.Sgemm(false, true, Units, Batch, Inputs, 1f, _w, Inputs, _batches[_next++ % Batches].Data, Inputs, 0f, _outT, Ld);

    [Benchmark]
    public void Step() => _layer.Step(_batches[_next++ % Batches], 1e-3);

    /// <summary>The step with a row of currents per sample (RankByColumns off), as where there are no 512-bit vectors.</summary>
    [Benchmark]
    public void StepByRows() => _byRows.Step(_batches[_next++ % Batches], 1e-3);

    static readonly int Ld = TopK.ColumnsLd(Batch);
    readonly float[] _outT = new float[Units * Ld];
    readonly (float, int)[] _top = new (float, int)[2 * Batch];

    /// <summary>The ranking of a row per sample (TopK.Find), where the layer has no 512-bit vectors.</summary>
    [Benchmark]
    public void RankRows()
    {
        for (int s = 0; s < Batch; s++) TopK.Find(_out.AsSpan(s * Units, Units), _top.AsSpan(2 * s, 2));
    }

    /// <summary>The ranking of a column per sample (TopK.Columns), the layer's where it has 512-bit vectors.</summary>
    [Benchmark]
    public void RankColumns()
    {
        if (TopK.ColumnsAccelerated) TopK.Columns(_outT, Units, Batch, Ld, _top, 2);
    }
}

/// <summary>
/// Making one minibatch of hebb train nnl-conv's patches (PatchSource.Next and Fill): 100 patches of 4x4x3 at random
/// positions of a chunk of 256 CIFAR-sized images, in the chunk's shuffled order, cut (PatchMath.Copy) and
/// scaled to unit length. A new pass starts (and shuffles) when the chunk is used up.
/// Run: dotnet run -c Release --project bench/Micro -- --filter '*PatchMaking*'
/// </summary>
public class PatchMaking
{
    const int Images = 256, Batch = 100;
    readonly NnlConvOptions _o = new NnlConvOptions { Height = 32, Width = 32, Channels = 3, Window = 4, PoolWindow = 1, PoolStride = 1 }.Validate();
    Matrix _images = null!;
    readonly Random _rng = new(1);
    PatchSource _source = null!;
    float[] _buffer = null!;

    [GlobalSetup]
    public void Setup()
    {
        _images = new Matrix(Images, 32 * 32 * 3);
        for (int i = 0; i < _images.Data.Length; i++) _images.Data[i] = (float)_rng.NextDouble();
        _buffer = new float[Batch * _o.PatchSize];
        NewPass();
    }

    void NewPass() => _source = new PatchSource(_images, [.. Enumerable.Range(0, Images)], _o, Images, Batch, center: false, unit: true, _rng);

    [Benchmark]
    public void Minibatch()
    {
        int rows = _source.Next();
        if (rows == 0) { NewPass(); rows = _source.Next(); }
        _source.Fill(0, rows, _buffer);
    }
}

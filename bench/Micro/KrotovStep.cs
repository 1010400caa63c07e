using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Hebb.Accelerated;
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

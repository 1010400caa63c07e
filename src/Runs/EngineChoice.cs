using Hebb.Accelerated;
using Hebb.Contracts;
using Hebb.Reference;

namespace Hebb.Runs;

/// <summary>Which engine a command runs on: --engine, --backend (or HEBB_BACKEND) and --device; and the caller's seeded draws.</summary>
public static class EngineChoice
{
    /// <summary>--engine reference|accelerated with --backend (or HEBB_BACKEND) for the accelerated one.</summary>
    public static IEngine Create(Args a)
    {
        string engine = a.Choice("engine", "accelerated", "accelerated", "reference");
        string backend = Backend(a);
        if (engine == "reference")
        {
            if (a.Str("device") is { } d) throw new UsageException($"--device {d}: the reference engine runs on the CPU and has no devices; --device picks an OpenCL or CUDA device");
            return new ReferenceEngine();
        }
        return CreateAccelerated(a, backend);
    }

    /// <summary>The accelerated engine for a backend (and --device), or a UsageException saying why it cannot start.</summary>
    public static IEngine CreateAccelerated(Args a, string backend)
    {
        string? device = a.Str("device");
        if (device is not null && backend is "cpu" or "cpu-managed")
            throw new UsageException($"--device {device}: the {backend} backend has no devices; --device picks an OpenCL device or a CUDA ordinal (--backend opencl|cuda)");
        try
        {
            var engine = BackendSelector.Create(backend, device);
            if (backend == "auto") Spectre.Console.AnsiConsole.MarkupLine($"backend auto chose [bold]{Spectre.Console.Markup.Escape(engine.Name)}[/]");
            return engine;
        }
        catch (Exception ex) when (ex is NotSupportedException or ArgumentOutOfRangeException)
        {
            throw new UsageException($"--backend {backend}: {ex.Message}");
        }
    }

    public static string Backend(Args a)
    {
        string? env = Environment.GetEnvironmentVariable("HEBB_BACKEND");
        if (a.Str("backend") is null && !string.IsNullOrEmpty(env) && !BackendSelector.Names.Contains(env))
            throw new UsageException($"HEBB_BACKEND={env}: allowed values are {string.Join(", ", BackendSelector.Names)} (or unset it, or give --backend)");
        return a.Choice("backend", string.IsNullOrEmpty(env) ? "auto" : env, BackendSelector.Names);
    }

    /// <summary>Normal entries from a seeded generator (the paper's initialization; outside the engines).</summary>
    public static Matrix Normal(int rows, int cols, Random rng, double sigma = 1.0) => Hebb.Verification.Seeded.Normal(rows, cols, rng, sigma);

    public static int[] Permutation(int n, Random rng)
    {
        var p = Enumerable.Range(0, n).ToArray();
        rng.Shuffle(p);
        return p;
    }
}

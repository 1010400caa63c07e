using System.Reflection;

namespace Hebb.Accelerated.Backends.Device;

/// <summary>
/// The kernel sources, embedded in this assembly (every <c>*.cl</c> under Backends/ and Rules/, named by file): the
/// prelude first, then the backend's GEMM, then each rule's kernels in the order of their file names. A rule adds its
/// kernels by adding a <c>.cl</c> file beside its layers.
/// </summary>
public static class KernelSource
{
    const string Prefix = "Hebb.Kernels.";

    /// <summary>The embedded kernel files, in the order <see cref="All"/> joins them (without the prelude).</summary>
    public static IReadOnlyList<string> Files { get; } = List();

    public static string All()
    {
        var asm = typeof(KernelSource).Assembly;
        return string.Join("\n", Files.Prepend("prelude.h").Select(f => Read(asm, f)));
    }

    static string[] List()
    {
        var files = typeof(KernelSource).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".cl", StringComparison.Ordinal))
            .Select(n => n[Prefix.Length..])
            .Where(f => f != "gemm.cl")
            .Order(StringComparer.Ordinal);
        return ["gemm.cl", .. files];
    }

    static string Read(Assembly asm, string file)
    {
        using var s = asm.GetManifestResourceStream(Prefix + file)
            ?? throw new InvalidOperationException($"kernel source {file} is not embedded in {asm.GetName().Name}");
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }
}

using System.Globalization;

namespace Hebb.Runs;

/// <summary>
/// A small parser for <c>--name value</c> options and positional arguments. Each command declares the
/// options it takes; an unknown option, a missing value or a value of the wrong type is a UsageException.
/// </summary>
public sealed class Args
{
    readonly Dictionary<string, string> _options = new();
    readonly HashSet<string> _used = new();
    /// <summary>Options given without a value (flags, or a value forgotten).</summary>
    readonly HashSet<string> _bare = new();
    public List<string> Positional { get; } = new();

    public Args(IEnumerable<string> args)
    {
        var list = args.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            string a = list[i];
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                string name = a[2..];
                string? value = null;
                int eq = name.IndexOf('=');
                if (eq >= 0) { value = name[(eq + 1)..]; name = name[..eq]; }
                else if (i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal)) value = list[++i];
                _options[name] = value ?? "true";
                if (value is null) _bare.Add(name); else _bare.Remove(name);
            }
            else Positional.Add(a);
        }
    }

    public bool Has(string name) { _used.Add(name); return _options.ContainsKey(name); }

    /// <summary>The value of --name, or null where it is not given; an option given without its value is refused by
    /// name (a flag is read with <see cref="Has"/>).</summary>
    public string? Str(string name)
    {
        _used.Add(name);
        if (_bare.Contains(name)) throw new UsageException($"--{name}: a value is required (--{name} VALUE)");
        return _options.GetValueOrDefault(name);
    }

    public string Str(string name, string fallback) => Str(name) ?? fallback;

    public string Choice(string name, string fallback, params string[] allowed)
    {
        string v = Str(name, fallback);
        if (!allowed.Contains(v)) throw new UsageException($"--{name} {v}: allowed values are {string.Join(", ", allowed)}");
        return v;
    }

    public int Int(string name, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        string? s = Str(name);
        if (s is null) return fallback;
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
            throw new UsageException($"--{name} {s}: an integer is required");
        if (v < min || v > max) throw new UsageException($"--{name} {v}: must be {Range(min, max, int.MinValue, int.MaxValue, $"{min}..{max}")}");
        return v;
    }

    public double Double(string name, double fallback, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        string? s = Str(name);
        if (s is null) return fallback;
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw new UsageException($"--{name} {s}: a finite number is required");
        if (v < min || v > max) throw new UsageException($"--{name} {v}: must be {Range(min, max, double.NegativeInfinity, double.PositiveInfinity, $"[{min}, {max}]")}");
        return v;
    }

    /// <summary>A number that must be greater than 0 (a learning rate: 0 would train nothing).</summary>
    public double Positive(string name, double fallback)
    {
        double v = Double(name, fallback);
        if (v <= 0) throw new UsageException($"--{name} {v}: must be greater than 0");
        return v;
    }

    /// <summary>"at least MIN", "at most MAX" or "in RANGE", as the bounds an option was given (an open side is its
    /// type's extreme, which an error should not print).</summary>
    static string Range<T>(T min, T max, T lowest, T highest, string both) where T : IEquatable<T> =>
        max.Equals(highest) ? $"at least {min}" : min.Equals(lowest) ? $"at most {max}" : $"in {both}";

    /// <summary>An options record's refusal as a usage error naming the command-line option (the record's property
    /// name mapped through <paramref name="options"/>; unmapped names as they are) and the value.</summary>
    public static UsageException OptionError(ArgumentOutOfRangeException ex, IReadOnlyDictionary<string, string> options) =>
        new($"{(ex.ParamName is { } p && options.TryGetValue(p, out var o) ? o : ex.ParamName ?? "option")} {ex.ActualValue}: {ex.Message.Split(" (Parameter")[0]}");

    /// <summary>Refuses, before any work starts, an output folder that cannot be made or written, with what the system
    /// said, instead of failing after minutes of training or encoding: makes the folder (and any missing parents) and
    /// writes, then removes, a file there. With <paramref name="keep"/> false the folders this made are removed again,
    /// so that a run refused later leaves none. <paramref name="what"/> names the folder for the message ("--out" when
    /// the user gave it).</summary>
    public static string OutputFolder(string path, string what, bool keep = true)
    {
        string full = Path.GetFullPath(path);
        string? firstMade = null;
        for (var d = full; d is not null && !Directory.Exists(d) && !File.Exists(d); d = Path.GetDirectoryName(d)) firstMade = d;
        try
        {
            Directory.CreateDirectory(full);
            string probe = Path.Combine(full, $".hebb-write-check.{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{what} {path}: cannot create or write this folder ({ex.Message})");
        }
        if (!keep && firstMade is not null) Directory.Delete(firstMade, recursive: true);
        return path;
    }

    /// <summary>Refuses options the command did not ask for (typos would otherwise be ignored silently).</summary>
    public void RejectUnknown(string command)
    {
        var unknown = _options.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0) throw new UsageException($"{command}: unknown option{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown.Select(u => "--" + u))}; see hebb {command.Split(' ')[0]} --help");
    }
}

namespace Hebb.Data;

/// <summary>Where datasets live: --data DIR, else HEBB_DATA, else ./data.</summary>
public static class DataRoot
{
    public static string Resolve(string? option)
    {
        string? env = Environment.GetEnvironmentVariable("HEBB_DATA");
        return Path.GetFullPath(option ?? (string.IsNullOrEmpty(env) ? "data" : env));
    }
}

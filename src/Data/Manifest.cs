namespace Hebb.Data;

/// <summary>A dataset's official download address and files.</summary>
public sealed record Manifest(string Dataset, string BaseUrl, RemoteFile[] Files);

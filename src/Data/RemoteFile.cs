namespace Hebb.Data;

/// <summary>One file of a dataset: its name under the base address, where it goes under the data folder, its MD5.</summary>
public sealed record RemoteFile(string Name, string Target, string Md5);

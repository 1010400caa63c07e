namespace Hebb.Runs;

/// <summary>An eval option that only some rules' encoders read, and the refusal a run of another rule (or raw pixels)
/// gives when it is set: "<c>--NAME VALUE: REFUSAL</c>".</summary>
public sealed record EncoderOption(string Name, string Refusal);

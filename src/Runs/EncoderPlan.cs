namespace Hebb.Runs;

/// <summary>A run's encoder with its eval options read: the tag its report folder's name carries (eval-PROBE{Tag}...)
/// and how to open it once the data is loaded.</summary>
public sealed record EncoderPlan(string Tag, Func<EncoderRequest, RunEncoder> Open);

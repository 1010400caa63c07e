namespace Hebb.Verification;

/// <summary>One comparison rule everywhere: |a - b| &lt;= Atol + Rtol * |reference|.</summary>
public sealed record Tolerance(double Atol, double Rtol, string Reason);

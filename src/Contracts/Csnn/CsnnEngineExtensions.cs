namespace Hebb.Contracts;

/// <summary><c>engine.CreateCsnn(...)</c>: the engine's <see cref="ICsnnFactory"/>.</summary>
public static class CsnnEngineExtensions
{
    public static ICsnnLayer CreateCsnn(this IEngine engine, CsnnOptions options, IReadOnlyList<Matrix> weights, IReadOnlyList<Matrix> masks) =>
        engine.Get<ICsnnFactory>().Create(options, weights, masks);
}

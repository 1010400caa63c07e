namespace Hebb.Contracts;

/// <summary><c>engine.CreateKrotov(...)</c>: the engine's <see cref="IKrotovFactory"/>.</summary>
public static class KrotovEngineExtensions
{
    public static IKrotovLayer CreateKrotov(this IEngine engine, KrotovOptions options, Matrix initialWeights) =>
        engine.Get<IKrotovFactory>().Create(options, initialWeights);
}

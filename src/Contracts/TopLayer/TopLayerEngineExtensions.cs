namespace Hebb.Contracts;

/// <summary><c>engine.CreateTopLayer(...)</c>: the engine's <see cref="ITopLayerFactory"/>.</summary>
public static class TopLayerEngineExtensions
{
    public static ITopLayer CreateTopLayer(this IEngine engine, TopLayerOptions options, Matrix initialWeights) =>
        engine.Get<ITopLayerFactory>().Create(options, initialWeights);
}

namespace Hebb.Contracts;

/// <summary><c>engine.CreateNnlConv(...)</c>: the engine's <see cref="INnlConvFactory"/>.</summary>
public static class NnlConvEngineExtensions
{
    public static INnlConvLayer CreateNnlConv(this IEngine engine, NnlConvOptions options, Matrix filters) =>
        engine.Get<INnlConvFactory>().Create(options, filters);
}

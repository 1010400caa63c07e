namespace Hebb.Contracts;

/// <summary><c>engine.CreateClassifier(...)</c> and <c>engine.ProbeLayers()</c>: the engine's probe factories.</summary>
public static class ProbeEngineExtensions
{
    public static IClassifier CreateClassifier(this IEngine engine, ProbeOptions options, ClassifierParameters initial) =>
        engine.Get<IClassifierFactory>().Create(options, initial);

    public static IProbeLayers ProbeLayers(this IEngine engine) => engine.Get<IProbeLayersFactory>().Create();
}

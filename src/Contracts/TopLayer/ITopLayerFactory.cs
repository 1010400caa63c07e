namespace Hebb.Contracts;

/// <summary>What an engine implements to run Krotov &amp; Hopfield's supervised top layer (<see cref="TopLayerRule"/>).</summary>
public interface ITopLayerFactory
{
    /// <summary>A top layer with <paramref name="initialWeights"/> (Classes x Hidden) as S.</summary>
    ITopLayer Create(TopLayerOptions options, Matrix initialWeights);
}

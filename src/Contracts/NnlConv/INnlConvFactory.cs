namespace Hebb.Contracts;

/// <summary>What an engine implements to run the NNL-CONV layer (<see cref="NnlConvRule"/>).</summary>
public interface INnlConvFactory
{
    /// <summary>A layer with <paramref name="filters"/> (Filters x PatchSize) as its fixed filters.</summary>
    INnlConvLayer Create(NnlConvOptions options, Matrix filters);
}

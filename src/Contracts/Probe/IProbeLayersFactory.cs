namespace Hebb.Contracts;

/// <summary>What an engine implements to run the probes' layers one by one (<see cref="ProbeRule"/>), forward and
/// backward.</summary>
public interface IProbeLayersFactory
{
    IProbeLayers Create();
}

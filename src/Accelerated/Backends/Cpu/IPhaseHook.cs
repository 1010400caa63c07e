namespace Hebb.Accelerated.Backends.Cpu;

/// <summary>What a layer tells an observer of its steps (a benchmark's timer): a step starts; its phase number
/// <c>phase</c> (the layer's own numbering) ends. Optional: a layer without a hook does nothing of it.</summary>
public interface IPhaseHook
{
    void Start();
    void End(int phase);
}

namespace Hebb.Contracts;

/// <summary>What an engine implements to run Krotov &amp; Hopfield's rule (<see cref="KrotovRule"/>).</summary>
public interface IKrotovFactory
{
    /// <summary>A layer with <paramref name="initialWeights"/> (Units x Inputs) as W; refuses options out of range and
    /// weights of another shape or not finite, naming them.</summary>
    IKrotovLayer Create(KrotovOptions options, Matrix initialWeights);
}

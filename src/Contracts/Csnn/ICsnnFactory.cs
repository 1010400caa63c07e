namespace Hebb.Contracts;

/// <summary>What an engine implements to run CSNN's sconv layer (<see cref="CsnnRule"/>).</summary>
public interface ICsnnFactory
{
    /// <summary>A layer with, for each map h, <paramref name="weights"/>[h] (Neurons x PatchSize) and
    /// <paramref name="masks"/>[h] (Neurons x MaskSize).</summary>
    ICsnnLayer Create(CsnnOptions options, IReadOnlyList<Matrix> weights, IReadOnlyList<Matrix> masks);
}

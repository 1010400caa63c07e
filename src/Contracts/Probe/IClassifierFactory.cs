namespace Hebb.Contracts;

/// <summary>What an engine implements to train the probes (<see cref="ProbeRule"/>): whole classifiers.</summary>
public interface IClassifierFactory
{
    /// <summary>A classifier with <paramref name="initial"/> parameters (shapes as <paramref name="options"/> say).</summary>
    IClassifier Create(ProbeOptions options, ClassifierParameters initial);
}

using Hebb.Contracts;
using Hebb.Data;

namespace Hebb.Runs;

/// <summary>What opening a run's encoder needs once the options are read: the engine, the training set (its geometry;
/// other runs' datasets are checked against its name), and whether the weights are to be replaced by random U(-1, 1)
/// ones (CSNN's "R" baseline), drawn from <paramref name="Seed"/>.</summary>
public sealed record EncoderRequest(IEngine Engine, string Dataset, Dataset Train, bool Random, int Seed);

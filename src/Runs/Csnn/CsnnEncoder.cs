using Hebb.Contracts;
using Hebb.Evaluation;

namespace Hebb.Runs;

/// <summary>A CSNN model's representation for the probes (the authors' code): the input normalized as in training,
/// through every block; the last block's pooled output flattened (4 x 4 x 768 = 12,288 values for D-CSNN on CIFAR-10),
/// not standardized.</summary>
public sealed class CsnnEncoder(CsnnModel model, InputNorm input, string name) : IEncoder
{
    public string Name => name;
    public int Features => model.Layers[^1].Options.EncodedFeatures;
    public Matrix Encode(Matrix images) => model.Encode(input.Apply(images), model.Layers.Count);
}

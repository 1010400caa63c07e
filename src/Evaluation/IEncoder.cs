using Hebb.Contracts;

namespace Hebb.Evaluation;

/// <summary>Turns images (rows of pixel / 255) into the representation a probe is trained on.</summary>
public interface IEncoder
{
    string Name { get; }
    int Features { get; }
    Matrix Encode(Matrix images);
}

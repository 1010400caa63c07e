namespace Hebb.Contracts;

/// <summary>The probes' layers one by one, forward and backward, for the equivalence tests.</summary>
public interface IProbeLayers
{
    /// <summary>y = x W^T + bias; x is B x in, W out x in, bias 1 x out.</summary>
    Matrix Linear(Matrix x, Matrix w, Matrix bias);
    (Matrix Dx, Matrix Dw, Matrix Dbias) LinearBackward(Matrix x, Matrix w, Matrix dy);
    /// <summary>Batch norm in training mode (the batch's mean and biased variance).</summary>
    Matrix BatchNorm(Matrix x, Matrix gamma, Matrix beta, double epsilon);
    (Matrix Dx, Matrix Dgamma, Matrix Dbeta) BatchNormBackward(Matrix x, Matrix gamma, Matrix dy, double epsilon);
    /// <summary>y = x * mask / (1 - rate); also its own backward pass.</summary>
    Matrix Dropout(Matrix x, Matrix mask, double rate);
    Matrix Elu(Matrix x);
    Matrix EluBackward(Matrix x, Matrix dy);
    /// <summary>Mean softmax cross-entropy over the batch and its gradient with respect to the logits.</summary>
    (double Loss, Matrix Dz) SoftmaxCrossEntropy(Matrix z, ReadOnlySpan<int> labels);
}

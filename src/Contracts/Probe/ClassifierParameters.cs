namespace Hebb.Contracts;

/// <summary>
/// A classifier's parameters: per layer W (outputs x inputs); the output layer's bias (1 x classes); per
/// hidden layer the batch norm's gamma and beta (1 x width) and running mean and variance (1 x width).
/// Hidden layers have no bias: batch norm's beta is their shift (a bias before batch norm has a zero
/// gradient, which Adam would turn into steps of roundoff). Gradients use the same type (their running
/// mean / variance hold the batch's statistics).
/// </summary>
public sealed record ClassifierParameters(Matrix[] Weights, Matrix Bias, Matrix[] Gammas, Matrix[] Betas, Matrix[] RunningMeans, Matrix[] RunningVars)
{
    /// <summary>Every tensor with a name, for comparisons and files.</summary>
    public IEnumerable<(string Name, Matrix Value)> Named()
    {
        for (int l = 0; l < Weights.Length; l++) yield return ($"W{l}", Weights[l]);
        yield return ("bias", Bias);
        for (int l = 0; l < Gammas.Length; l++)
        {
            yield return ($"gamma{l}", Gammas[l]); yield return ($"beta{l}", Betas[l]);
            yield return ($"mean{l}", RunningMeans[l]); yield return ($"var{l}", RunningVars[l]);
        }
    }

    public ClassifierParameters Copy() => new(
        [.. Weights.Select(m => m.Clone())], Bias.Clone(), [.. Gammas.Select(m => m.Clone())],
        [.. Betas.Select(m => m.Clone())], [.. RunningMeans.Select(m => m.Clone())], [.. RunningVars.Select(m => m.Clone())]);

    /// <summary>Refuses parameters whose shapes do not fit <paramref name="o"/>, or that hold NaN or infinity.</summary>
    public void Check(ProbeOptions o, string name)
    {
        if (Weights.Length != o.Layers)
            throw new ArgumentException($"{name} has {Weights.Length} weight tensors; the probe has {o.Layers} layers", name);
        Contracts.Check.Shape(Bias, 1, o.Classes, $"{name}.Bias");
        int h = o.Hidden.Length;
        if (Gammas.Length != h || Betas.Length != h || RunningMeans.Length != h || RunningVars.Length != h)
            throw new ArgumentException($"{name} needs {h} gamma, beta, running mean and running variance tensors", name);
        for (int l = 0; l < o.Layers; l++)
        {
            Contracts.Check.Shape(Weights[l], o.OutputsOf(l), o.InputsOf(l), $"{name}.Weights[{l}]");
        }
        for (int l = 0; l < h; l++)
            foreach (var (m, what) in new[] { (Gammas[l], "Gammas"), (Betas[l], "Betas"), (RunningMeans[l], "RunningMeans"), (RunningVars[l], "RunningVars") })
                Contracts.Check.Shape(m, 1, o.Hidden[l], $"{name}.{what}[{l}]");
        foreach (var (n, m) in Named()) Contracts.Check.Finite(m, $"{name}.{n}");
    }
}

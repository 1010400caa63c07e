namespace Hebb.Data;

public static class Datasets
{
    public static readonly string[] Names = ["mnist", "fashion-mnist", "cifar10"];

    /// <summary>Loads the train or test split of <paramref name="name"/> from <paramref name="root"/>.</summary>
    public static Dataset Load(string name, string root, bool train) => name switch
    {
        "mnist" or "fashion-mnist" => Idx.LoadMnistLike(name, root, train),
        "cifar10" => Cifar10.Load(root, train),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, $"dataset must be one of {string.Join(", ", Names)}"),
    };
}

namespace Hebb.Data;

public static class Datasets
{
    public static readonly string[] Names = ["mnist", "fashion-mnist", "cifar10"];

    /// <summary>The ten classes' names, by label.</summary>
    public static string[] ClassNames(string name) => name switch
    {
        "cifar10" => ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"],
        "fashion-mnist" => ["T-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"],
        _ => ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
    };

    /// <summary>Loads the train or test split of <paramref name="name"/> from <paramref name="root"/>.</summary>
    /// <summary>The training or test set of a dataset; one that holds no image is refused by name (a run on it would
    /// write untrained weights, a probe would have nothing to learn from).</summary>
    public static Dataset Load(string name, string root, bool train)
    {
        var set = name switch
        {
            "mnist" or "fashion-mnist" => Idx.LoadMnistLike(name, root, train),
            "cifar10" => Cifar10.Load(root, train),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, $"dataset must be one of {string.Join(", ", Names)}"),
        };
        if (set.Count == 0)
            throw new DataException($"{name} in {root}: its {(train ? "training" : "test")} set holds no image (the file says 0); fetch it again with hebb data fetch {name}");
        return set;
    }
}

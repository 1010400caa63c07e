namespace Hebb.Cli;

/// <summary><c>hebb train RULE</c>: the rule's recipe (<see cref="IRecipe"/>) trains and writes the run folder.</summary>
static class TrainCommand
{
    /// <summary>Every recipe's help, one after another.</summary>
    public static string Help => string.Join("\n", Recipes.All.Select(r => r.TrainHelp));

    public static int Run(Args a)
    {
        string? rule = a.Positional.Count >= 2 ? a.Positional[1] : null;
        var recipe = rule is null ? null : Recipes.Find(rule);
        if (recipe is null)
            throw new UsageException($"train: the rule is missing or unknown; available: {string.Join(", ", Recipes.All.Select(r => r.Rule))} (hebb train --help)");
        return recipe.Train(a);
    }
}

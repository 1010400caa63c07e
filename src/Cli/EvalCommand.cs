namespace Hebb.Cli;

/// <summary><c>hebb eval RUN|raw</c>: a probe on a run's representation, as the run's rule's recipe opens it (or on raw
/// pixels); a rule's own probe (Krotov &amp; Hopfield's top layer) is run by its recipe.</summary>
static class EvalCommand
{
    /// <summary>Every probe's name: the rules' own ones, then the shared ones.</summary>
    static string[] Probes => [.. Recipes.All.SelectMany(r => r.OwnProbes), .. ProbePipeline.Probes];

    /// <summary>The shared probes' help, then each rule's part.</summary>
    public static string Help => $"""
        hebb eval RUN [--probe {string.Join("|", Probes)}] [options]
        hebb eval raw --dataset mnist|fashion-mnist|cifar10 --probe {string.Join("|", ProbePipeline.Probes)} [options]
          Judges a representation: a training run's frozen weights (the rule's encoder, e.g. h = ReLU(W v)^n, eq. 1),
          the same encoder with random U(-1, 1) weights (--random-baseline, CSNN's "R"), or raw pixels (raw).
          Without --probe: {string.Join("; ", Recipes.All.Select(r => $"{r.DefaultProbe} for runs of {r.Rule}"))}; linear for raw pixels.

          --probe linear|mlp|fewshot: CSNN's probes (section IV-B/C): a linear classifier (softmax), an MLP
          512-256-10 with batch norm, ELU and dropout 0.5 / 0.3, or the linear probe on N examples per class.
          Adam (lr 1e-3), batch 512; the pocket rule: test accuracy at the evaluation of best validation accuracy.
          --epochs E (20; fewshot 100)   --batch B (512)   --lr LR (0.001)   --eval-every STEPS (4 per epoch)
          --lr-schedule constant|cosine  constant (CSNN's), or annealed from LR to 0 by a cosine over all steps
          --validation halves|none  halves: the test set split at random into validation + test halves (CSNN);
                                    none: the full test set, last step reported
          --folds K           k-fold cross-validation on the training set (mean and spread of test accuracy)
          --augment C         add C augmented copies of the training images, encoded, to the probe's training set
                              (CSNN's Aug; the paper's is 10): each rotated, shifted, and on cifar10 mirrored with
                              probability 1/2, at random, by the authors' code's amounts; with --folds, a fold
                              leaves every copy of its validation images out
          --augment-rotation DEG  the largest rotation, 0..180 (15)
          --augment-shift X   the largest shift along each axis: below 1 a fraction of the side, else pixels (0.1:
                              3.2 px on cifar10; hebb before 2026-12-04 drew 2)
          --augment-fill nearest|zero  what a pixel shows whose source lies outside the image: the nearest edge
                              pixel (Keras' default) or 0 (hebb before 2026-12-04)
          --random-baseline   the run's encoder with random U(-1, 1) weights instead of the trained ones
          --standardize on|off|global  on: each feature minus its training mean, over its training deviation; global:
                              every feature over one number, their root mean square on the training set (off).
                              Affine reparametrizations that let Adam train on features of very different scales
          --shadow            the shadow test (NNL-CONV section 5): the probe trains on raw images, the pocket rule
                              chooses on the raw validation half, the test half is shadowed (80% of each image x 0.3)
          --shots 1,2,5,10,20,50  --draws 10   (fewshot)
          --utilization-batch B   batch size of the neuron-utilization metric (1000)
          --features DIR      keep the encoded images in DIR, part by part as each is encoded (the training images,
                              each augmented copy, the test images), and take back the parts it holds when the same
                              representation and images come again: the probes of a slow encoder, CSNN's, encode
                              once, a stopped encoding resumes, and --augment 10 takes the copies --augment 2 kept.
                              About 2.5 GB a part for D-CSNN on CIFAR-10 (1.2 GB in half). A folder that holds
                              other features is refused
          --feature-precision single|half  hold (and keep) the features in float32 (single) or IEEE half precision,
                              half the memory: CSNN's Aug rows (550,000 x 12,288 features) are 27.5 GB in single,
                              13.8 GB in half; a value beyond +-65,504 is refused (single)
          --out DIR           report folder (RUN/eval-PROBE..., or runs/raw-DATASET-PROBE)

        {string.Join("\n\n", Recipes.All.Select(r => $"  Runs of {r.Rule} (hebb train {r.Rule}):\n{r.EvalHelp}"))}

          Every run: --engine accelerated|reference, --backend auto|cpu|cpu-managed|opencl|cuda, --seed S (1),
          --data DIR, --limit-train N, --limit-test N
        """;

    public static int Run(Args a)
    {
        if (a.Positional.Count < 2) throw new UsageException("eval: RUN (a folder written by hebb train) or raw is missing");
        string target = a.Positional[1];
        IRecipe? recipe = null;
        if (target != "raw")
        {
            string rule = RunFolder.RuleOf(target);
            recipe = Recipes.Find(rule) ?? throw new UsageException($"eval: {target} was trained with the rule '{rule}', which this hebb has no recipe for; rules: {string.Join(", ", Recipes.All.Select(r => r.Rule))}");
        }
        string probe = a.Choice("probe", recipe?.DefaultProbe ?? "linear", Probes);
        if (ProbePipeline.Probes.Contains(probe)) return ProbePipeline.Run(a, probe, recipe);
        var owner = Recipes.All.First(r => r.OwnProbes.Contains(probe));
        if (recipe is null)
            throw new UsageException($"--probe {probe}: the {owner.Rule} rule's own probe needs a training run of {owner.Rule}, not raw pixels");
        if (recipe != owner)
            throw new UsageException($"--probe {probe}: it is the {owner.Rule} rule's own probe; runs of {recipe.Rule} take --probe {string.Join("|", recipe.OwnProbes.Concat(ProbePipeline.Probes))}");
        return recipe.RunOwnProbe(probe, target, a);
    }
}

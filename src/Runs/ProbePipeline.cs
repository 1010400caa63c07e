using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Hebb.Contracts;
using Hebb.Data;
using Hebb.Evaluation;
using Spectre.Console;

namespace Hebb.Runs;

/// <summary>
/// <c>hebb eval RUN|raw --probe linear|mlp|fewshot</c>: CSNN's probes (section IV-B/C) on any representation:
/// a training run's encoder (its rule's recipe opens it), the same encoder with random weights, or raw pixels.
/// </summary>
public static class ProbePipeline
{
    /// <summary>The probes every representation takes.</summary>
    public static readonly string[] Probes = ["linear", "mlp", "fewshot"];

    /// <summary>Runs <paramref name="probe"/> on the run named by the second positional argument (its rule's
    /// <paramref name="recipe"/>), or on raw pixels (recipe null).</summary>
    public static int Run(Args a, string probe, IRecipe? recipe)
    {
        string target = a.Positional[1];
        bool raw = target == "raw";
        string? dataset = a.Str("dataset");
        JsonObject? trained = null;
        if (!raw)
        {
            string optionsPath = Path.Combine(target, "options.json");
            if (!File.Exists(optionsPath))
                throw new UsageException($"eval: {target} is not a finished training run (it needs options.json and what its rule writes); for the raw-pixel baseline use: hebb eval raw --dataset NAME");
            trained = RunFolder.Options(target)!;
            string runDataset = RunFolder.Required<string>(trained, target, "dataset");
            if (dataset is not null && dataset != runDataset)
                throw new UsageException($"--dataset {dataset}: the run {target} was trained on {runDataset}");
            dataset = runDataset;
        }
        else if (dataset is null) throw new UsageException("eval raw: --dataset is required (mnist, fashion-mnist, cifar10)");
        if (!Datasets.Names.Contains(dataset)) throw new UsageException($"--dataset {dataset}: allowed values are {string.Join(", ", Datasets.Names)}");
        string root = a.Str("data") is { } d ? DataRoot.Resolve(d) : (trained is null ? null : RunFolder.Optional<string?>(trained, target, "data", null)) ?? DataRoot.Resolve(null);

        int seed = a.Int("seed", 1);
        var training = new ProbeTraining
        {
            Epochs = a.Int("epochs", probe == "fewshot" ? 100 : 20, 1), Batch = a.Int("batch", 512, 1),
            LearningRate = a.Positive("lr", 1e-3), EvalEvery = a.Int("eval-every", 0, 0), Seed = seed,
            Cosine = a.Choice("lr-schedule", "constant", "constant", "cosine") == "cosine",
        };
        int folds = a.Int("folds", 0, 0);
        string validation = a.Choice("validation", "halves", "halves", "none");
        int augment = a.Int("augment", 0, 0, 20);
        var augmentation = new AugmentOptions
        {
            MaxDegrees = a.Double("augment-rotation", 15, 0, 180), MaxShift = a.Double("augment-shift", 0.1, 0),
            Fill = a.Choice("augment-fill", "nearest", "nearest", "zero") == "zero" ? AugmentFill.Zero : AugmentFill.Nearest,
            Flip = dataset == "cifar10",
        };
        foreach (var option in new[] { "augment-rotation", "augment-shift", "augment-fill" })
            if (augment == 0 && a.Has(option)) throw new UsageException($"--{option} {a.Str(option)}: it shapes the augmented copies; give --augment C too");
        bool random = a.Has("random-baseline");
        // Options only other rules' encoders read are refused by name, before the recipe reads its own.
        foreach (var other in Recipes.All.Where(r => r != recipe))
            foreach (var option in other.EncoderOptions)
                if (a.Has(option.Name) && recipe?.EncoderOptions.Any(o => o.Name == option.Name) != true)
                    throw new UsageException($"--{option.Name} {a.Str(option.Name)}: {option.Refusal}");
        var plan = recipe?.PlanEncoder(target, trained!, a);
        bool shadow = a.Has("shadow");
        string standardizeMode = a.Choice("standardize", "off", "on", "off", "global");
        bool standardize = standardizeMode != "off";
        int limitTrain = a.Int("limit-train", int.MaxValue, 1), limitTest = a.Int("limit-test", int.MaxValue, 2);
        int draws = a.Int("draws", 10, 1);
        int[] shots = ParseShots(a.Str("shots"));
        int utilBatch = a.Int("utilization-batch", 1000, 1);
        string? outOption = a.Str("out");
        string? featuresDir = a.Str("features");
        var precision = a.Choice("feature-precision", "single", "single", "half") == "half" ? FeaturePrecision.Half : FeaturePrecision.Single;
        var engine = EngineChoice.Create(a);
        a.RejectUnknown("eval");
        if (raw && random) throw new UsageException("--random-baseline: raw pixels have no weights to randomize; give a training run");
        if (folds == 1) throw new UsageException("--folds 1: k-fold cross-validation needs k >= 2 (0: no cross-validation)");
        if (shadow && (folds >= 2 || validation == "none"))
            throw new UsageException("--shadow: the shadow test keeps the validation half unshadowed; use it with --validation halves and no --folds");

        var trainData = Datasets.Load(dataset, root, train: true);
        var testData = Datasets.Load(dataset, root, train: false);
        string augmentationText = augmentation.Describe(trainData.Height, trainData.Width);
        var trainImages = Limit(trainData.Images, trainData.Labels, limitTrain);
        var testImages = Limit(testData.Images, testData.Labels, limitTest);

        // The representation: raw pixels, or the run's encoder as its rule's recipe opens it.
        using var opened = plan?.Open(new EncoderRequest(engine, dataset, trainData, random, seed));
        IEncoder encoder = opened?.Encoder ?? new RawPixels(trainData.Images.Cols);
        FeatureArray.CheckFits(Math.Max(trainImages.Count, testImages.Count), encoder.Features);
        string name = raw ? $"raw pixels of {dataset}" : $"{encoder.Name} from {target}";
        using var stage = StagedRun.Start(outOption ?? (raw ? Path.Combine("runs", $"raw-{dataset}-{probe}{(augment > 0 ? "-aug" : "")}")
                                          : Path.Combine(target, $"eval-{probe}{plan!.Tag}{(random ? "-random" : "")}{(augment > 0 ? "-aug" : "")}{(shadow ? "-shadow" : "")}")),
                                          outOption is null ? "the report folder" : "--out", keepUnfinished: false);
        string outDir = stage.Dir;
        AnsiConsole.MarkupLine($"[bold]hebb eval[/] {probe} probe on {Markup.Escape(name)}; {Markup.Escape(engine.Name)}");

        var sw = Stopwatch.StartNew();
        // The features of this representation, these images and these options, part by part: from --features DIR where
        // an earlier eval kept the part, else encoded (and kept there as soon as it is, so that a long encoding resumes).
        string images = $"{name} | {dataset} | training {trainImages.Count} | test {testImages.Count}";
        string key = $"{images} | seed {seed}";
        // An earlier hebb's key for the same images without augmented copies (its one train.npy is the training part).
        string[] earlierKeys = [.. new[] { false, true }.Select(sh => $"{images} | augment 0 | shadow {sh} | seed {seed}")];
        var cache = featuresDir is null ? null : FeatureCache.Open(featuresDir, key, precision, earlierKeys,
            augment > 0 ? augmentationText : null, AugmentOptions.Earlier(augmentation.Flip).Describe(trainData.Height, trainData.Width));
        int kept = 0;
        FeatureRows Part(string part, string what, Func<Matrix> encode)
        {
            if (cache?.Load(part) is { } rows) { kept++; return rows; }
            var started = Stopwatch.StartNew();
            var x = encode();
            FeaturesFinite(x, what, opened?.OverflowCause);
            try { rows = FeatureRows.Of(x).In(precision); }
            catch (OverflowException e) { throw new UsageException($"the {what} images' {e.Message}: keep them in float32 (--feature-precision single)"); }
            cache?.Save(part, rows);
            if (cache is not null || augment > 0)
                AnsiConsole.MarkupLine($"{Markup.Escape(what)} images: {x.Rows:N0} encoded in {started.Elapsed.TotalSeconds:F1} s" + (cache is null ? "" : $", kept as {Markup.Escape(Path.Combine(cache.Dir, part + ".npy"))}"));
            return rows;
        }
        Matrix trainX = trainImages.X.ToMatrix(), testX = testImages.X.ToMatrix();
        var parts = new List<FeatureRows> { Part("train-0", "training", () => Encode(encoder, trainX, "training")) };
        for (int k = 1; k <= augment; k++)
        {
            int copy = k;
            parts.Add(Part($"train-{k}", $"augmented copy {k} of the training", () => Encode(encoder,
                Augment.Apply(trainX, trainData.Height, trainData.Width, trainData.Channels, new Random(AugmentSeed(seed, copy)), augmentation), $"augmented copy {copy}")));
        }
        var train = new LabeledSet(FeatureRows.Concat(parts), [.. Enumerable.Range(0, 1 + augment).SelectMany(_ => trainImages.Y)]);
        var test = new LabeledSet(Part("test", "test", () => Encode(encoder, testX, "test")), testImages.Y);
        var shadowed = shadow
            ? new LabeledSet(Part("shadowed", "shadowed test", () => Encode(encoder, Shadow.Apply(testX, testData.Height, testData.Width, testData.Channels, new Random(seed + 29)), "shadowed test")), testImages.Y)
            : null;
        if (kept > 0) AnsiConsole.MarkupLine($"features from {Markup.Escape(featuresDir!)}: {kept} of {parts.Count + 1 + (shadow ? 1 : 0)} parts kept there ({Markup.Escape(key)})");
        int[]? winners = opened?.Competition is var (_, winnersOf) ? winnersOf(opened.WinnersFromFeatures ? test.X.ToMatrix() : testX) : null;
        if (standardize)
        {
            var st = standardizeMode == "global" ? Standardizer.Global(train.X) : new Standardizer(train.X);
            try
            {
                foreach (var set in new[] { train, test, shadowed }) if (set is not null) st.Apply(set.X);
            }
            catch (OverflowException e) { throw new UsageException($"standardized, the {e.Message}: keep the features in float32 (--feature-precision single)"); }
        }
        AnsiConsole.MarkupLine($"encoded {train.Count:N0} training (with {augment} augmented cop{(augment == 1 ? "y" : "ies")}) and {test.Count:N0} test images into {encoder.Features:N0} features in {sw.Elapsed.TotalSeconds:F1} s");

        var report = new JsonObject
        {
            ["representation"] = name, ["dataset"] = dataset, ["probe"] = probe, ["engine"] = engine.Name, ["features"] = encoder.Features,
            ["epochs"] = training.Epochs, ["batch"] = training.Batch, ["lr"] = training.LearningRate, ["lr_schedule"] = training.Cosine ? "cosine" : "constant", ["seed"] = seed,
            ["augment"] = augment, ["augmentation"] = augment > 0 ? augmentationText : null, ["feature_precision"] = precision == FeaturePrecision.Half ? "half" : "single", ["shadow"] = shadow, ["standardize"] = standardizeMode, ["train_images"] = trainImages.Y.Length, ["test_images"] = testImages.Y.Length,
        };
        var md = new StringBuilder($"# {probe} probe on {name}\n\n- engine: {engine.Name}; {encoder.Features:N0} features{(standardizeMode == "on" ? ", each standardized with the training set's mean and deviation" : standardizeMode == "global" ? ", all divided by one number, their root mean square on the training set" : "")}\n");
        if (augment > 0) md.Append($"- training set: the {trainImages.Count:N0} training images and {augment} augmented cop{(augment == 1 ? "y" : "ies")} of them ({augmentationText})\n");
        if (opened?.Competition is var (units, _) && winners is not null)
        {
            double util = Metrics.Utilization(winners, units, Math.Min(utilBatch, winners.Length));
            double sel = Metrics.NeuralSelectivity(winners, testImages.Y, units, 10);
            report["utilization"] = util; report["utilization_batch"] = Math.Min(utilBatch, winners.Length); report["selectivity"] = sel;
            md.Append($"- neuron utilization {util:P1} (share of units winning at least one input of a batch of {Math.Min(utilBatch, winners.Length)} test images, CSNN Fig. 5)\n");
            md.Append($"- neural selectivity {sel:P2} (URL-SOM V-C, on the test set; the winner is the unit with the largest current)\n");
        }
        Directory.CreateDirectory(outDir);
        if (augment > 0)
        {
            // The first training images above the same images in the first copies, drawn again (each copy's draws go
            // image by image, so its first rows are those of the whole copy).
            int shown = Math.Min(8, trainImages.Count), copies = Math.Min(augment, 3);
            var first = trainX.SliceRows(0, shown);
            var grid = new Matrix((1 + copies) * shown, first.Cols);
            first.Data.CopyTo(grid.Data, 0);
            for (int k = 1; k <= copies; k++)
                Augment.Apply(first, trainData.Height, trainData.Width, trainData.Channels, new Random(AugmentSeed(seed, k)), augmentation).Data.CopyTo(grid.Data, k * first.Data.Length);
            Pictures.ImageGrid(Path.Combine(outDir, "augmented.png"), grid, trainData.Height, trainData.Width, trainData.Channels, shown);
            md.Append($"- augmented.png: the first {shown} training images (top) and the same images in augmented cop{(copies == 1 ? "y 1" : $"ies 1 to {copies}")} below\n");
        }
        string curvePath = Path.Combine(outDir, "metrics.jsonl");
        File.WriteAllText(curvePath, "");
        var series = new List<Charts.Line>();

        if (probe == "fewshot")
        {
            var split = validation == "none" ? Splits.NoValidation(train, test) : Splits.TestHalves(train, test, seed);
            var results = FewShot.Run(engine, split, 10, shots, draws, training, line => AnsiConsole.MarkupLine(Markup.Escape(line)));
            var arr = new JsonArray();
            md.Append($"- split: {split.Description}\n- linear probe on N examples per class, {draws} seeded draws each, {training.Epochs} epochs, pocket rule on validation\n\n| N per class | test accuracy (mean ± std) |\n| --- | --- |\n");
            foreach (var (s, mean, std, accs) in results)
            {
                arr.Add((JsonNode)new JsonObject { ["shots"] = s, ["mean"] = mean, ["std"] = std, ["accuracies"] = new JsonArray([.. accs.Select(x => (JsonNode)x)]) });
                md.Append($"| {s} | {mean:P2} ± {std:P2} |\n");
                File.AppendAllText(curvePath, new JsonObject { ["shots"] = s, ["mean"] = mean, ["std"] = std }.ToJsonString() + "\n");
                report[$"test_accuracy_{s}"] = mean;
            }
            report["split"] = split.Description; report["fewshot"] = arr;
            series.Add(new($"test accuracy (mean of {draws} draws)", [.. results.Select(r => (double)r.Shots)], [.. results.Select(r => 100 * r.Mean)]));
        }
        else
        {
            var options = probe == "mlp" ? ProbeOptions.Mlp(encoder.Features) : ProbeOptions.Linear(encoder.Features);
            // Folds are made one at a time as the loop reaches them: each copies its training rows (45,000 x 12,288
            // floats of D-CSNN are 2.2 GB), so all ten at once did not fit in memory.
            IEnumerable<Split> splits = folds >= 2 ? Splits.KFold(train, test, folds, seed, trainImages.Count)
                       : shadowed is not null ? [Splits.TestHalves(train, test, shadowed, "shadowed (about 80% of each image multiplied by 0.3, section 5)", seed)]
                       : [validation == "none" ? Splits.NoValidation(train, test) : Splits.TestHalves(train, test, seed)];
            int splitCount = Math.Max(folds, 1), testCount = 0;
            var runs = new JsonArray();
            var accs = new List<double>();
            md.Append($"- probe: {(probe == "mlp" ? "MLP 512-256-10, batch norm, ELU, dropout 0.5 / 0.3" : "linear (one fully connected layer, softmax)")}; Adam lr {training.LearningRate}{(training.Cosine ? " annealed to 0 by a cosine" : "")}, batch {training.Batch}, {training.Epochs} epochs\n");
            int f = -1;
            foreach (var split in splits)
            {
                f++;
                testCount = split.Test.Count;
                AnsiConsole.MarkupLine(Markup.Escape(split.Description));
                ProbeResult result = null!;
                Progress.Run(probe, training.Epochs, task =>
                    {
                        result = ProbeTrainer.Train(engine, options, split with { }, training with { Seed = seed + f }, p =>
                        {
                            task.Value = p.Epoch;
                            task.Description = $"epoch {p.Epoch:F2}: loss {p.TrainLoss:F4}, training {p.TrainAccuracy:P2}" + (p.ValidationAccuracy is { } v ? $", validation {v:P2}" : "") + $", test {p.TestAccuracy:P2}";
                            File.AppendAllText(curvePath, new JsonObject
                            {
                                ["fold"] = f + 1, ["step"] = p.Step, ["epoch"] = p.Epoch, ["train_loss"] = p.TrainLoss, ["train_accuracy"] = p.TrainAccuracy,
                                ["validation_accuracy"] = p.ValidationAccuracy, ["test_accuracy"] = p.TestAccuracy,
                            }.ToJsonString() + "\n");
                        });
                    });
                accs.Add(result.TestAccuracy);
                int trainRows = ProbeTrainer.TrainingSample(split.Train.Count).Length;
                double se = Metrics.BinomialStandardError(result.TestAccuracy, split.Test.Count);
                runs.Add((JsonNode)new JsonObject
                {
                    ["split"] = split.Description, ["chosen_step"] = result.Chosen.Step, ["train_accuracy"] = result.Chosen.TrainAccuracy,
                    ["train_accuracy_rows"] = trainRows, ["validation_accuracy"] = result.Chosen.ValidationAccuracy,
                    ["test_accuracy"] = result.TestAccuracy, ["test_images"] = split.Test.Count, ["test_accuracy_se"] = se, ["seconds"] = result.Seconds,
                });
                string fold = splitCount > 1 ? $"fold {f + 1}: " : "";
                double[] epochs = [.. result.Curve.Select(p => p.Epoch)];
                if (splitCount <= 3) series.Add(new($"{fold}training ({trainRows:N0} examples)", epochs, [.. result.Curve.Select(p => 100 * p.TrainAccuracy)]));
                if (result.Curve.Any(p => p.ValidationAccuracy is not null))
                    series.Add(new($"{fold}validation ({split.Validation?.Count ?? 0:N0})", epochs, [.. result.Curve.Select(p => 100 * (p.ValidationAccuracy ?? double.NaN))]));
                if (splitCount <= 3) series.Add(new($"{fold}test ({split.Test.Count:N0})", epochs, [.. result.Curve.Select(p => 100 * (p.TestAccuracy ?? double.NaN))]));
                md.Append($"- {split.Description}: test accuracy **{result.TestAccuracy:P2}** (± {se:P2}, the binomial standard error over {split.Test.Count:N0} test images)" +
                          (result.Chosen.ValidationAccuracy is { } va ? $" at step {result.Chosen.Step} (best validation accuracy {va:P2}, pocket rule)" : " at the last step") +
                          $"; there, training accuracy {result.Chosen.TrainAccuracy:P2} on {trainRows:N0} training examples\n");
            }
            double mean = accs.Average(), std = accs.Count > 1 ? Math.Sqrt(accs.Sum(x => (x - mean) * (x - mean)) / (accs.Count - 1)) : 0;
            report["runs"] = runs; report["test_accuracy"] = mean; report["test_accuracy_std"] = std; report["test_error"] = 1 - mean;
            // One split: its test accuracy's standard error stands for the whole report (folds give a std instead).
            double? singleSe = accs.Count == 1 ? Metrics.BinomialStandardError(mean, testCount) : null;
            if (singleSe is { } se1) report["test_accuracy_se"] = se1;
            if (accs.Count > 1) md.Append($"\n**{folds}-fold cross-validation: test accuracy {mean:P2} ± {std:P2}** (mean ± std over folds)\n");
            AnsiConsole.MarkupLine($"test accuracy [bold]{mean:P2}[/]" + (accs.Count > 1 ? $" ± {std:P2} over {folds} folds" : $" ± {singleSe:P2} (binomial standard error)") + $" (error {1 - mean:P2})");
        }
        report["seconds"] = sw.Elapsed.TotalSeconds;
        md.Append($"\n- time {sw.Elapsed.TotalSeconds:F1} s\n\n`accuracy.png`: {(probe == "fewshot" ? "mean test accuracy against N per class (left to right: " + string.Join(", ", shots) + ")" : "training, validation and test accuracy at each evaluation (with more than three folds, each fold's validation accuracy)")}; `metrics.jsonl`: {(probe == "fewshot" ? "each N's mean and standard deviation (every draw's accuracy in report.json)" : "every evaluation point")}.\n");
        RunFolder.WriteText(Path.Combine(outDir, "report.json"), report.ToJsonString(RunFolder.Json));
        RunFolder.WriteText(Path.Combine(outDir, "report.md"), md.ToString());
        if (probe == "fewshot")
            Charts.Lines(Path.Combine(outDir, "accuracy.png"), $"{name}: few-shot linear probe on {dataset}", "examples per class (N)", "test accuracy (%)", series);
        else
            Charts.Lines(Path.Combine(outDir, "accuracy.png"), $"{name}: {probe} probe on {dataset}", "epoch of the probe's training", "accuracy (%)", series);
        stage.Commit();
        AnsiConsole.MarkupLine($"report in {Markup.Escape(stage.Final)}");
        return 0;
    }

    static int[] ParseShots(string? s)
    {
        if (s is null) return FewShot.DefaultShots;
        try
        {
            var v = s.Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            if (v.Length == 0 || v.Any(x => x < 1)) throw new FormatException();
            return v;
        }
        catch (FormatException) { throw new UsageException($"--shots {s}: a comma-separated list of integers >= 1 is required (e.g. 1,5,10)"); }
    }

    static LabeledSet Limit(Matrix images, int[] labels, int limit) =>
        limit >= labels.Length ? new LabeledSet(images, labels) : new LabeledSet(images.SliceRows(0, limit), labels[..limit]);

    /// <summary>Every feature finite, or an error that names the cause: the encoder's own (for example, without patch
    /// normalization an NNL-CONV block's ReLU(w · v)^n of a raw patch passes float32's 3.4e38 at large n, the paper's
    /// section 6: "huge numbers as inputs to the classifier"), else a general one; nothing is written in that case.</summary>
    static void FeaturesFinite(Matrix x, string what, string? overflowCause)
    {
        int i = Check.FirstNonFinite(x.Data);
        if (i < 0) return;
        string cause = overflowCause ?? "the encoder produced NaN or infinite values";
        throw new UsageException($"the {what} images' features are not all finite (features[{i / x.Cols},{i % x.Cols}] = {x.Data[i]}): {cause}");
    }

    /// <summary><paramref name="encoder"/>'s features of <paramref name="images"/>, with a progress bar where there are
    /// more than one slice of them (<see cref="SlicedEncoding"/>).</summary>
    static Matrix Encode(IEncoder encoder, Matrix images, string what)
    {
        if (images.Rows <= SlicedEncoding.Slice) return encoder.Encode(images);
        Matrix result = null!;
        Progress.Run($"encoding the {what} images", images.Rows, task => result = SlicedEncoding.Encode(encoder, images, done => task.Value = done));
        return result;
    }

    /// <summary>The seed of augmented copy <paramref name="copy"/> (from 1) of the training images: its own, so that a
    /// copy is the same whichever copies are encoded before it (the first is the one every earlier hebb drew).</summary>
    static int AugmentSeed(int seed, int copy) => seed + 17 + 1000 * (copy - 1);
}

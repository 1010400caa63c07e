using Hebb.Accelerated.Rules.Krotov;
using Hebb.Accelerated.Backends.Cpu;
using Hebb.Contracts;
using Hebb.Evaluation;
using Hebb.Reference;
using System.Text.Json.Nodes;
using Xunit;

namespace Hebb.Tests.Integration;

public class MetricsTests
{
    [Fact]
    public void BinomialStandardErrorOfATestAccuracy()
    {
        Assert.Equal(Math.Sqrt(0.7 * 0.3 / 5000), Metrics.BinomialStandardError(0.7, 5000), 15);
        Assert.Equal(0.0, Metrics.BinomialStandardError(1.0, 10));
        Assert.Equal(0.5, Metrics.BinomialStandardError(0.5, 1), 15);
        Assert.Equal("accuracy", Assert.Throws<ArgumentOutOfRangeException>(() => Metrics.BinomialStandardError(1.5, 10)).ParamName);
        Assert.Equal("accuracy", Assert.Throws<ArgumentOutOfRangeException>(() => Metrics.BinomialStandardError(double.NaN, 10)).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => Metrics.BinomialStandardError(0.5, 0)).ParamName);
    }

    [Fact]
    public void UtilizationCountsDistinctWinnersPerBatch()
    {
        // batch 1: units 0, 1 of 4 win (50%); batch 2: units 2, 3, 0 (75%)
        Assert.Equal(0.625, Metrics.Utilization([0, 1, 1, 2, 3, 0], 4, 3), 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => Metrics.Utilization([0, 1], 4, 3));
    }

    [Fact]
    public void SelectivityIsTheShareOfInputsMatchingTheirWinnersModeLabel()
    {
        // unit 0 wins labels 1, 1, 2 (mode 1: 2 right); unit 1 wins 3, 4 (tie: lowest label 3: 1 right)
        Assert.Equal(3.0 / 5, Metrics.NeuralSelectivity([0, 0, 0, 1, 1], [1, 1, 2, 3, 4], 2, 10), 12);
    }

    /// <summary>Encoded a slice at a time, the features are those of one call, bit for bit (the slices keep the
    /// encoders' own chunks: here Krotov's 1,000 images, through OpenBLAS where it loads).</summary>
    [Fact]
    public void EncodingInSlicesGivesTheFeaturesOfOneCall()
    {
        var rng = new Random(5);
        var images = new Matrix(SlicedEncoding.Slice * 2 + 345, 30);
        for (int i = 0; i < images.Data.Length; i++) images.Data[i] = (float)rng.NextDouble();
        var w = new Matrix(17, 30);
        for (int i = 0; i < w.Data.Length; i++) w.Data[i] = (float)(rng.NextDouble() - 0.5);
        using var layer = new CpuKrotovLayer(OpenBlasGemm.TryLoad(out _) ?? (IGemm)new ManagedGemm(), new KrotovOptions { Units = 17, Inputs = 30 }, w);
        var encoder = new KrotovEncoder(layer, 3, normalize: true);
        var done = new List<int>();
        var sliced = SlicedEncoding.Encode(encoder, images, done.Add);
        Assert.Equal(encoder.Encode(images).Data, sliced.Data);
        Assert.Equal([SlicedEncoding.Slice, 2 * SlicedEncoding.Slice, images.Rows], done);
    }

    /// <summary>The multi-block encoder: each row is every part's features of that image, side by side.</summary>
    [Fact]
    public void ConcatEncoderPutsThePartsSideBySide()
    {
        var rng = new Random(3);
        var images = new Matrix(2345, 5);
        for (int i = 0; i < images.Data.Length; i++) images.Data[i] = (float)rng.NextDouble();
        var w = new Matrix(3, 5);
        for (int i = 0; i < w.Data.Length; i++) w.Data[i] = (float)(rng.NextDouble() - 0.5);
        using var layer = new CpuKrotovLayer(new ManagedGemm(), new KrotovOptions { Units = 3, Inputs = 5 }, w);
        IEncoder a = new RawPixels(5), b = new KrotovEncoder(layer, 2, normalize: false);
        var both = new ConcatEncoder([a, b]).Encode(images);
        Assert.Equal((2345, 8), (both.Rows, both.Cols));
        var ha = a.Encode(images);
        var hb = b.Encode(images);
        for (int r = 0; r < images.Rows; r++)
        {
            Assert.True(both.Row(r)[..5].SequenceEqual(ha.Row(r)), $"row {r}, first part");
            Assert.True(both.Row(r)[5..].SequenceEqual(hb.Row(r)), $"row {r}, second part");
        }
    }

    [Fact]
    public void ArgMaxTakesTheLowestIndexOnTies() => Assert.Equal(1, Metrics.ArgMax([0f, 2f, 2f, 1f]));
}

public class SplitTests
{
    static LabeledSet Set(int n) => new(new Matrix(n, 2, [.. Enumerable.Range(0, 2 * n).Select(i => (float)i)]), [.. Enumerable.Range(0, n).Select(i => i % 10)]);

    [Fact]
    public void TestHalvesAreDisjointAndSeeded()
    {
        var (train, test) = (Set(50), Set(20));
        var a = Splits.TestHalves(train, test, 3);
        var b = Splits.TestHalves(train, test, 3);
        Assert.Equal(10, a.Validation!.Count);
        Assert.Equal(10, a.Test.Count);
        Assert.Equal(a.Test.X.ToMatrix().Data, b.Test.X.ToMatrix().Data);
        var valRows = Enumerable.Range(0, 10).Select(r => a.Validation.X.ToMatrix()[r, 0]).ToHashSet();
        Assert.DoesNotContain(Enumerable.Range(0, 10).Select(r => a.Test.X.ToMatrix()[r, 0]), valRows.Contains);
    }

    [Fact]
    public void KFoldValidatesOnEveryTrainingRowOnce()
    {
        var folds = Splits.KFold(Set(23), Set(5), 4, 1).ToList();
        Assert.Equal(4, folds.Count);
        var seen = folds.SelectMany(f => Enumerable.Range(0, f.Validation!.Count).Select(r => f.Validation.X.ToMatrix()[r, 0])).ToList();
        Assert.Equal(23, seen.Count);
        Assert.Equal(23, seen.Distinct().Count());
        Assert.All(folds, f => Assert.Equal(23, f.Train.Count + f.Validation!.Count));
    }

    /// <summary>With augmented copies (row r shows image r mod 23), a fold validates on its images as they are and
    /// trains on every copy of the others: no copy of a validation image trains (it did: the folds cut the rows).</summary>
    [Fact]
    public void KFoldKeepsEveryCopyOfAValidationImageOutOfTraining()
    {
        var train = Set(3 * 23);
        var plain = Splits.KFold(Set(23), Set(5), 4, 1).ToList();
        var folds = Splits.KFold(train, Set(5), 4, 1, images: 23).ToList();
        for (int f = 0; f < 4; f++)
        {
            var image = (LabeledSet s, int r) => (int)s.X.ToMatrix()[r, 0] / 2 % 23;   // row i holds 2i, 2i + 1
            var validation = Enumerable.Range(0, folds[f].Validation!.Count).Select(r => image(folds[f].Validation!, r)).ToList();
            var trained = Enumerable.Range(0, folds[f].Train.Count).Select(r => image(folds[f].Train, r)).ToList();
            Assert.Equal(Enumerable.Range(0, plain[f].Validation!.Count).Select(r => image(plain[f].Validation!, r)), validation);   // the same images as without copies
            Assert.Empty(trained.Intersect(validation));
            Assert.Equal(3 * (23 - validation.Count), trained.Count);
            Assert.All(trained.GroupBy(i => i), g => Assert.Equal(3, g.Count()));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => Splits.KFold(Set(50), Set(5), 4, 1, images: 23).ToList());
    }
}

public class AugmentTests
{
    static readonly AugmentOptions Still = new() { MaxDegrees = 0, MaxShift = 0 };

    [Fact]
    public void ZeroRotationAndShiftIsTheIdentityAndFlipMirrors()
    {
        var img = new Matrix(1, 12, [.. Enumerable.Range(0, 12).Select(i => (float)i)]); // 1 channel, 3 x 4
        var same = Augment.Apply(img, 3, 4, 1, new Random(1), Still);
        Assert.Equal(img.Data, same.Data);
        var rng = new Random(5);
        Matrix? flipped = null;
        for (int t = 0; t < 10 && flipped is null; t++)
        {
            var m = Augment.Apply(img, 3, 4, 1, rng, Still with { Flip = true });
            if (!m.Data.SequenceEqual(img.Data)) flipped = m;
        }
        Assert.NotNull(flipped);
        Assert.Equal([3f, 2f, 1f, 0f], flipped!.Data[..4]);
    }

    /// <summary>On a ramp (pixel = its column), bilinear sampling of a shifted image reads the shift back at an inner
    /// pixel: below 1 the largest shift is that fraction of the side (0.1 of 30 columns: 3 px), from 1 pixels, and the
    /// draws cover the range.</summary>
    [Theory]
    [InlineData(0.1, 3.0)]
    [InlineData(2.0, 2.0)]
    public void TheLargestShiftIsAFractionOfTheSideBelowOneElsePixels(double maxShift, double pixels)
    {
        const int side = 30;
        var ramp = new Matrix(400, side * side);
        for (int r = 0; r < ramp.Rows; r++) for (int i = 0; i < side * side; i++) ramp[r, i] = i % side;
        var shifted = Augment.Apply(ramp, side, side, 1, new Random(3), Still with { MaxShift = maxShift });
        var shifts = Enumerable.Range(0, ramp.Rows).Select(r => 15.0 - shifted[r, 15 * side + 15]).ToList();
        Assert.All(shifts, d => Assert.InRange(Math.Abs(d), 0, pixels + 1e-5));
        Assert.InRange(shifts.Max(), 0.95 * pixels, pixels);
        Assert.InRange(shifts.Min(), -pixels, -0.95 * pixels);
        Assert.Equal(pixels, (Still with { MaxShift = maxShift }).ShiftPixels(side), 12);
    }

    /// <summary>A uniform image stays uniform under any rotation and shift with the nearest fill (Keras' default); with
    /// zero fill the corners a rotation or shift uncovers go dark.</summary>
    [Fact]
    public void NearestFillKeepsAUniformImageUniformAndZeroFillDarkensTheUncoveredBorder()
    {
        var ones = new Matrix(20, 3 * 16 * 16);
        Array.Fill(ones.Data, 1f);
        var options = new AugmentOptions { MaxDegrees = 30, MaxShift = 0.2, Flip = true };
        var nearest = Augment.Apply(ones, 16, 16, 3, new Random(4), options);
        Assert.All(nearest.Data, v => Assert.Equal(1f, v, 5));
        var zero = Augment.Apply(ones, 16, 16, 3, new Random(4), options with { Fill = AugmentFill.Zero });
        Assert.All(Enumerable.Range(0, 20), r => Assert.Contains(zero.Row(r).ToArray(), v => v < 0.5f));
        Assert.All(zero.Data, v => Assert.InRange(v, -1e-6f, 1f + 1e-6f));
        Assert.Equal(1f, ones.Data[0]);   // the input is not changed
    }

    [Fact]
    public void AugmentationsDescribeWhatTheyDrawAndRefuseWhatTheyCannot()
    {
        Assert.Equal("rotation <= 15 deg, shift <= 3.2 px, fill nearest, horizontal flip", new AugmentOptions { Flip = true }.Describe(32, 32));
        Assert.Equal(new AugmentOptions { MaxShift = 3.2 }.Describe(32, 32), new AugmentOptions().Describe(32, 32));
        Assert.Equal("rotation <= 15 deg, shift <= 2 px, fill zero, no flip", AugmentOptions.Earlier(flip: false).Describe(28, 28));
        Assert.Equal("rotation <= 15 deg, shift <= 2.8 x 2.4 px, fill nearest, no flip", new AugmentOptions().Describe(24, 28));
        var img = new Matrix(1, 4);
        Assert.Equal("MaxShift", Assert.Throws<ArgumentOutOfRangeException>(() => Augment.Apply(img, 2, 2, 1, new Random(1), new AugmentOptions { MaxShift = -1 })).ParamName);
        Assert.Equal("MaxDegrees", Assert.Throws<ArgumentOutOfRangeException>(() => Augment.Apply(img, 2, 2, 1, new Random(1), new AugmentOptions { MaxDegrees = 181 })).ParamName);
        Assert.Equal("MaxShift", Assert.Throws<ArgumentOutOfRangeException>(() => new AugmentOptions { MaxShift = double.NaN }.Validate()).ParamName);
    }
}

public class ProbeTrainerTests
{
    /// <summary>n rows of 4 features: a one-hot of the label (of 3) scaled by signal, and a uniform noise feature.</summary>
    static LabeledSet Toy(Random rng, int n, float signal)
    {
        var x = new Matrix(n, 4);
        var y = new int[n];
        for (int i = 0; i < n; i++) { y[i] = rng.Next(3); x[i, y[i]] = signal; x[i, 3] = (float)rng.NextDouble(); }
        return new(x, y);
    }

    [Fact]
    public void PocketRuleReportsTestAccuracyAtTheBestValidationStep()
    {
        var rng = new Random(2);
        var split = new Split("toy", Toy(rng, 300, 1f), Toy(rng, 60, 1f), Toy(rng, 60, 1f));
        var result = ProbeTrainer.Train(new CpuEngine(new ManagedGemm()), ProbeOptions.Linear(4, 3), split,
            new ProbeTraining { Epochs = 30, Batch = 32, LearningRate = 0.05, EvalEvery = 5 });
        var best = result.Curve.Max(p => p.ValidationAccuracy!.Value);
        Assert.Equal(result.Curve.First(p => p.ValidationAccuracy == best), result.Chosen);
        Assert.True(result.TestAccuracy > 0.9, $"test accuracy {result.TestAccuracy}");
    }

    /// <summary>A probe driven step by step with the test set scored only where the validation accuracy rises (the
    /// only points the pocket rule can choose) chooses the same point with the same test accuracy as the trainer that
    /// scores every point.</summary>
    [Fact]
    public void TestingOnlyWherePocketCanChooseGivesTheSameResult()
    {
        var rng = new Random(3);
        var split = new Split("toy", Toy(rng, 200, 0.3f), Toy(rng, 60, 0.3f), Toy(rng, 60, 0.3f));
        var t = new ProbeTraining { Epochs = 20, Batch = 16, LearningRate = 0.02, EvalEvery = 3 };
        var engine = new CpuEngine(new ManagedGemm());
        var every = ProbeTrainer.Train(engine, ProbeOptions.Linear(4, 3), split, t);
        using var run = new ProbeRun(engine, ProbeOptions.Linear(4, 3), split, t);
        while (!run.Finished)
            if (run.Next())
            {
                double validation = run.Accuracy(split.Validation!);
                run.Record(validation, run.MayChoose(validation) ? run.Accuracy(split.Test) : null);
            }
        var some = run.Result();
        Assert.Equal(every.Chosen, some.Chosen);
        Assert.Equal(every.Curve.Select(p => p.ValidationAccuracy), some.Curve.Select(p => p.ValidationAccuracy));
        Assert.All(every.Curve, p => Assert.NotNull(p.TestAccuracy));
        Assert.Contains(some.Curve, p => p.TestAccuracy is null);
        // Each point measured is a rise of validation accuracy over every point before it.
        for (int i = 0; i < some.Curve.Count; i++)
            Assert.Equal(i == 0 || some.Curve[i].ValidationAccuracy > some.Curve.Take(i).Max(p => p.ValidationAccuracy), some.Curve[i].TestAccuracy is not null);
        // A point the pocket rule may choose must have its test accuracy.
        using var other = new ProbeRun(engine, ProbeOptions.Linear(4, 3), split, t);
        while (!other.Next()) { }
        Assert.Throws<ArgumentException>(() => other.Record(0.5, null));
    }

    /// <summary>Few-shot's draws scored side by side in one classifier get each draw's own accuracy: the same as
    /// scored one at a time.</summary>
    [Fact]
    public void FewShotDrawsScoredTogetherMatchThemScoredAlone()
    {
        var rng = new Random(5);
        var split = new Split("toy", Toy(rng, 300, 0.4f), Toy(rng, 80, 0.4f), Toy(rng, 80, 0.4f));
        var t = new ProbeTraining { Epochs = 15, LearningRate = 0.05 };
        var engine = new CpuEngine(new ManagedGemm());
        var alone = FewShot.Run(engine, split, 3, [1, 4], 5, t, together: 1);
        var together = FewShot.Run(engine, split, 3, [1, 4], 5, t, together: 3);
        Assert.Equal(alone.Select(r => r.Accuracies), together.Select(r => r.Accuracies));
        Assert.Contains(alone.SelectMany(r => r.Accuracies), a => a != alone[0].Accuracies[0]);   // draws differ
    }

    /// <summary>A probe whose loss becomes NaN or infinite (huge features, a huge rate) stops with a named error
    /// naming the step and the rate, not with a report of nonsense.</summary>
    [Fact]
    public void AProbeWhoseLossIsNotFiniteStopsByName()
    {
        var x = new Matrix(40, 3);
        var y = new int[40];
        for (int i = 0; i < 40; i++) { y[i] = i % 2; x[i, 0] = 1e30f * (1 - 2 * (i % 2)); x[i, 1] = 1; x[i, 2] = i; }
        var set = new LabeledSet(x, y);
        var ex = Assert.Throws<ProbeDivergedException>(() => ProbeTrainer.Train(new CpuEngine(new ManagedGemm()), ProbeOptions.Linear(3, 2),
            new Split("overflow", set, null, set), new ProbeTraining { Epochs = 2, Batch = 8, LearningRate = 1e10 }));
        Assert.Contains("the probe's training diverged: at step ", ex.Message);
        Assert.Contains("--lr 10000000000", ex.Message);
    }
    [Fact]
    public void AProbeWhoseLossEndsFarAboveItsStartStopsByName()
    {
        // Noisy labels on features of size 1: Adam at a rate of 100 moves every weight by about 100 a step, so the
        // logits reach thousands and the loss stays finite but ends far above the untrained probe's ln 2.
        var x = new Matrix(400, 4);
        var y = new int[400];
        var rng = new Random(3);
        for (int i = 0; i < 400; i++) { for (int j = 0; j < 4; j++) x[i, j] = (float)(rng.NextDouble() * 2 - 1); y[i] = rng.Next(2); }
        var set = new LabeledSet(x, y);
        var ex = Assert.Throws<ProbeDivergedException>(() => ProbeTrainer.Train(new CpuEngine(new ManagedGemm()), ProbeOptions.Linear(4, 2),
            new Split("noise", set, null, set), new ProbeTraining { Epochs = 3, Batch = 20, LearningRate = 100 }));
        Assert.Contains("its loss rose from ", ex.Message);
        Assert.Contains("--lr 100 ", ex.Message);
        // The same data at a usual rate is trained and returned.
        var ok = ProbeTrainer.Train(new CpuEngine(new ManagedGemm()), ProbeOptions.Linear(4, 2), new Split("noise", set, null, set),
            new ProbeTraining { Epochs = 3, Batch = 20, LearningRate = 1e-3 });
        Assert.True(ok.Curve[^1].TrainLoss < ProbeTrainer.RiseFactor * 0.7);
    }

    [Fact]
    public void TrainingAccuracyIsMeasuredOnTheTrainingSetNotTheOthers()
    {
        // Separable training rows; validation and test rows whose labels are the opposite of what their
        // features say. A probe that learns the training set is right on it and wrong on the others.
        LabeledSet Make(int n, bool flip)
        {
            var x = new Matrix(n, 3);
            var y = new int[n];
            for (int i = 0; i < n; i++) { int c = i % 2; x[i, c] = 1f; x[i, 2] = 0.5f; y[i] = flip ? 1 - c : c; }
            return new(x, y);
        }
        var split = new Split("toy", Make(7001, false), Make(40, true), Make(40, true));
        var result = ProbeTrainer.Train(new CpuEngine(new ManagedGemm()), ProbeOptions.Linear(3, 2), split,
            new ProbeTraining { Epochs = 1, Batch = 500, LearningRate = 0.1, EvalEvery = 14 });
        var last = result.Curve[^1];
        Assert.Equal(1.0, last.TrainAccuracy);
        Assert.Equal(0.0, last.ValidationAccuracy);
        Assert.Equal(0.0, last.TestAccuracy);

        // At most 5,000 training rows, evenly spaced over the whole set and each once; all of a smaller set.
        var sample = ProbeTrainer.TrainingSample(7001);
        Assert.Equal(ProbeTrainer.TrainingSampleSize, sample.Length);
        Assert.Equal(0, sample[0]);
        Assert.True(sample[^1] >= 7001 - 2, $"last sampled row {sample[^1]}");
        Assert.Equal(sample.Length, sample.Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 300), ProbeTrainer.TrainingSample(300));
    }

    [Fact]
    public void TheCosineScheduleFallsFromTheRateTowardsZero()
    {
        var constant = new ProbeTraining { LearningRate = 0.01 };
        var cosine = constant with { Cosine = true };
        Assert.Equal(0.01, constant.RateAt(99, 100));
        Assert.Equal(0.01, cosine.RateAt(0, 100), 15);
        Assert.Equal(0.005, cosine.RateAt(50, 100), 15);
        Assert.Equal(0.01 * 0.5 * (1 + Math.Cos(Math.PI * 99 / 100)), cosine.RateAt(99, 100), 15);
        for (int t = 1; t < 100; t++) Assert.True(cosine.RateAt(t, 100) < cosine.RateAt(t - 1, 100));
        Assert.Equal("step", Assert.Throws<ArgumentOutOfRangeException>(() => cosine.RateAt(100, 100)).ParamName);
        Assert.Equal("total", Assert.Throws<ArgumentOutOfRangeException>(() => cosine.RateAt(0, 0)).ParamName);

        // Training takes the schedule: the same seed and data, constant against cosine, part after the first steps.
        var rng = new Random(3);
        var x = new Matrix(64, 4); var y = new int[64];
        for (int i = 0; i < 64; i++) { y[i] = i % 2; for (int j = 0; j < 4; j++) x[i, j] = (float)rng.NextDouble() + y[i]; }
        var set = new LabeledSet(x, y);
        var split = new Split("toy", set, set, set);
        var t0 = new ProbeTraining { Epochs = 4, Batch = 16, LearningRate = 0.05, EvalEvery = 1 };
        var a = ProbeTrainer.Train(new CpuEngine(new ManagedGemm()), ProbeOptions.Linear(4, 2), split, t0);
        var b = ProbeTrainer.Train(new CpuEngine(new ManagedGemm()), ProbeOptions.Linear(4, 2), split, t0 with { Cosine = true });
        Assert.Equal(a.Curve[0].TrainLoss, b.Curve[0].TrainLoss);
        Assert.NotEqual(a.Curve[^1].TrainLoss, b.Curve[^1].TrainLoss);
    }

    [Fact]
    public void TheSameSeedGivesTheSameProbeOnBothEngines()
    {
        var rng = new Random(4);
        var x = new Matrix(40, 5); var y = new int[40];
        for (int i = 0; i < 40; i++) { y[i] = i % 2; for (int j = 0; j < 5; j++) x[i, j] = (float)rng.NextDouble() + y[i]; }
        var set = new LabeledSet(x, y);
        var split = new Split("toy", set, set, set);
        var t = new ProbeTraining { Epochs = 3, Batch = 8, EvalEvery = 5 };
        var o = ProbeOptions.Mlp(5, 2) with { Hidden = [6, 4] };
        var a = ProbeTrainer.Train(new ReferenceEngine(), o, split, t);
        var b = ProbeTrainer.Train(new CpuEngine(new ManagedGemm()), o, split, t);
        Assert.Equal(a.Curve.Select(p => p.TestAccuracy), b.Curve.Select(p => p.TestAccuracy));
        Assert.Equal(a.Curve.Select(p => p.TrainLoss), b.Curve.Select(p => p.TrainLoss), (u, v) => Math.Abs(u - v) < 1e-4);
    }
}

public class ProbeCliTests
{
    [Fact]
    public void RawLinearMlpAndFewShotReportAndLearn()
    {
        string root = Fixtures.WriteMnistLike(Fixtures.TempDir(), "mnist", 400, 200);
        foreach (var (probe, extra) in new[] { ("linear", new[] { "--epochs", "15" }), ("mlp", new[] { "--epochs", "10", "--folds", "3" }),
                                               ("fewshot", new[] { "--epochs", "30", "--shots", "1,5", "--draws", "3" }) })
        {
            string outDir = Path.Combine(root, "eval-" + probe);
            var (code, output, err) = Fixtures.Hebb(root, ["eval", "raw", "--dataset", "mnist", "--data", root, "--probe", probe, "--out", outDir, .. extra]);
            Assert.True(code == 0, output + err);
            foreach (var f in new[] { "report.json", "report.md", "accuracy.png", "metrics.jsonl" }) Assert.True(File.Exists(Path.Combine(outDir, f)), $"{probe}: {f}");
            var report = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")))!;
            if (probe == "fewshot")
                Assert.True((double)report["fewshot"]![1]!["mean"]! > 0.5, output);
            else
                Assert.True((double)report["test_accuracy"]! > 0.6, $"{probe}: {(double)report["test_accuracy"]!}");
            if (probe == "linear")
            {
                // One split: the test half of 200 images (100) and its binomial standard error.
                var run = report["runs"]![0]!;
                Assert.Equal(100, (int)run["test_images"]!);
                double a = (double)report["test_accuracy"]!;
                Assert.Equal(Math.Sqrt(a * (1 - a) / 100), (double)report["test_accuracy_se"]!, 12);
                Assert.Contains("binomial standard error over 100 test images", File.ReadAllText(Path.Combine(outDir, "report.md")));
            }
            if (probe == "mlp") Assert.Equal(3, report["runs"]!.AsArray().Count);
        }
    }

    [Fact]
    public void RunProbesReportUtilizationSelectivityAndTheRandomBaseline()
    {
        string root = Fixtures.WriteMnistLike(Fixtures.TempDir(), "mnist", 300, 100);
        string run = Path.Combine(root, "run");
        Assert.Equal(0, Fixtures.Hebb(root, "train", "krotov", "--data", root, "--units", "30", "--epochs", "2", "--k", "2", "--out", run).Code);
        foreach (var extra in new[] { Array.Empty<string>(), ["--random-baseline"], ["--augment", "1"] })
        {
            var (code, output, err) = Fixtures.Hebb(root, ["eval", run, "--probe", "linear", "--epochs", "3", "--utilization-batch", "50", .. extra]);
            Assert.True(code == 0, output + err);
        }
        var trained = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "eval-linear", "report.json")))!;
        Assert.InRange((double)trained["utilization"]!, 0.0, 1.0);
        Assert.InRange((double)trained["selectivity"]!, 0.1, 1.0);
        Assert.True(File.Exists(Path.Combine(run, "eval-linear-random", "report.json")));
        Assert.Equal(600, (int)JsonNode.Parse(File.ReadAllText(Path.Combine(run, "eval-linear-aug", "report.json")))!["train_images"]! * 2);
        Assert.True(new FileInfo(Path.Combine(run, "eval-linear-aug", "augmented.png")).Length > 100);
        Assert.Contains("augmented.png: the first 8 training images (top) and the same images in augmented copy 1 below", File.ReadAllText(Path.Combine(run, "eval-linear-aug", "report.md")));
    }

    [Theory]
    [InlineData("--probe", "svm", "--probe svm: allowed values are top, linear, mlp, fewshot")]
    [InlineData("--folds", "1", "--folds 1: k-fold cross-validation needs k >= 2")]
    [InlineData("--shots", "1,x", "--shots 1,x: a comma-separated list")]
    [InlineData("--lr-schedule", "step", "--lr-schedule step: allowed values are constant, cosine")]
    [InlineData("--random-baseline", "", "raw pixels have no weights")]
    public void BadProbeOptionsAreRefused(string option, string value, string message)
    {
        string root = Fixtures.WriteMnistLike(Fixtures.TempDir(), "mnist", 20, 10);
        string[] args = value == "" ? ["eval", "raw", "--dataset", "mnist", "--data", root, option] : ["eval", "raw", "--dataset", "mnist", "--data", root, "--probe", "fewshot", option, value];
        if (option == "--probe") args = ["eval", "raw", "--dataset", "mnist", "--data", root, option, value];
        Fixtures.Refused(root, message, args);
    }
}

public class ShadowTests
{
    [Fact]
    public void AboutEightyPercentOfEachImageIsDimmedByPointThree()
    {
        var img = new Matrix(20, 3 * 32 * 32);
        Array.Fill(img.Data, 1f);
        var s = Shadow.Apply(img, 32, 32, 3, new Random(1));
        for (int r = 0; r < 20; r++)
        {
            var row = s.Row(r).ToArray();
            Assert.All(row, x => Assert.True(x == 1f || x == 0.3f));
            double share = row.Count(x => x == 0.3f) / (double)row.Length;
            Assert.InRange(share, 0.75, 0.85);
        }
        Assert.Equal(1f, img.Data[0]); // the input is not changed
    }
}

public class StandardizerTests
{
    static readonly Matrix Train = new(4, 3, [0, 10, 1, 2, 10, 0, 4, 10, 0, 6, 10, 3]);

    [Fact]
    public void PerFeatureGivesZeroMeanAndUnitDeviationOnTheTrainingSet()
    {
        var x = new Matrix(4, 3, (float[])Train.Data.Clone());
        new Standardizer(FeatureRows.Of(Train)).Apply(FeatureRows.Of(x));
        foreach (int j in new[] { 0, 2 })
        {
            var col = Enumerable.Range(0, 4).Select(r => (double)x[r, j]).ToArray();
            Assert.Equal(0, col.Average(), 5);
            Assert.Equal(1, Math.Sqrt(col.Select(v => v * v).Average()), 5);
        }
        // A constant feature becomes 0, not NaN.
        Assert.All(Enumerable.Range(0, 4), r => Assert.Equal(0f, x[r, 1]));
    }

    [Fact]
    public void GlobalDividesEveryFeatureByOneRootMeanSquare()
    {
        var x = new Matrix(4, 3, (float[])Train.Data.Clone());
        Standardizer.Global(FeatureRows.Of(Train)).Apply(FeatureRows.Of(x));
        double rms = Math.Sqrt(Train.Data.Select(v => (double)v * v).Average());
        for (int i = 0; i < x.Data.Length; i++) Assert.Equal(Train.Data[i] / rms, x.Data[i], 5);
        var zeros = new Matrix(2, 3);
        Standardizer.Global(FeatureRows.Of(zeros)).Apply(FeatureRows.Of(zeros));
        Assert.All(zeros.Data, v => Assert.Equal(0f, v));
    }
}

/// <summary>Appendix B's top-layer learning-rate schedules, epoch by epoch at the paper's lengths.</summary>
public class TopLayerScheduleTests
{
    [Fact]
    public void TheSchedulesAreAppendixBs()
    {
        // MNIST: 300 epochs, 0.001 for 100, then 0.0005, 0.0001, 0.00005, 0.00001 every 50.
        double[] mnist = [0.001, 0.0005, 0.0001, 0.00005, 0.00001];
        for (int e = 0; e < 300; e++)
            Assert.Equal(mnist[e < 100 ? 0 : 1 + (e - 100) / 50], 0.001 * Hebb.Runs.TopLayerEval.Schedule((double)e / 300, "mnist"), 12);
        // CIFAR-10: 500 epochs, 0.004 for 100, then 0.002, 0.001, 0.0005, 0.0002, 0.0001, 0.00005, 0.00002, 0.00001 every 50.
        double[] cifar = [0.004, 0.002, 0.001, 0.0005, 0.0002, 0.0001, 0.00005, 0.00002, 0.00001];
        for (int e = 0; e < 500; e++)
            Assert.Equal(cifar[e < 100 ? 0 : 1 + (e - 100) / 50], 0.004 * Hebb.Runs.TopLayerEval.Schedule((double)e / 500, "cifar10"), 12);
    }

    /// <summary>A top layer whose loss stops moving (a saturated tanh, as on CIFAR-10 at n = 10) is noted with the
    /// largest h; one whose loss still moves, however little, is not.</summary>
    [Fact]
    public void AStuckTopLayerIsNoted()
    {
        const float h = 1.5e8f;   // the largest h on the training images
        string? note = Hebb.Runs.TopLayerEval.Stuck([190.2, 168.58752, 168.58752, 168.58752, 168.58752], h, scaled: false);
        Assert.NotNull(note);
        Assert.Contains("has not moved over its last 2 epochs (168.588)", note);
        Assert.Contains("the largest h = ReLU(W v)^n on the training images is 1.5e+08", note);
        Assert.Null(Hebb.Runs.TopLayerEval.Stuck([190.2, 168.6, 168.5, 168.4999], h, scaled: false));
        Assert.Null(Hebb.Runs.TopLayerEval.Stuck([1.0, 1.0], h, scaled: false));
    }
}

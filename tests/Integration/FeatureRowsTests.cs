using Hebb.Contracts;
using Hebb.Evaluation;
using Xunit;

namespace Hebb.Tests.Integration;

/// <summary>A set's feature rows in several blocks and in half precision read as the one float32 matrix they stand for.</summary>
public class FeatureRowsTests
{
    static Matrix Rows(int rows, int cols, int from) => new(rows, cols, [.. Enumerable.Range(from * cols, rows * cols).Select(i => i * 0.37f - 5)]);

    /// <summary>Blocks of 3, 0 and 4 rows (an empty block shares its start with the next).</summary>
    static FeatureRows Blocks() => FeatureRows.Concat([FeatureRows.Of(Rows(3, 5, 0)), FeatureRows.Of(new Matrix(0, 5)), FeatureRows.Of(Rows(4, 5, 3))]);

    [Fact]
    public void BlocksReadAsTheMatrixTheyStandFor()
    {
        var whole = Rows(7, 5, 0);
        var x = Blocks();
        Assert.Equal((7, 5), (x.Rows, x.Cols));
        Assert.Null(x.AsMatrix);
        Assert.Equal(whole.Data, x.ToMatrix().Data);
        int[] pick = [6, 0, 3, 2, 3];
        var gathered = new Matrix(pick.Length, 5);
        x.GatherInto(pick, gathered);
        Assert.Equal(whole.Gather(pick).Data, gathered.Data);
        var middle = new Matrix(4, 5);
        x.CopyRowsInto(1, 4, middle);   // rows 1..4 cross the blocks
        Assert.Equal(whole.SliceRows(1, 4).Data, middle.Data);
        Assert.Equal(whole.Gather(pick).Data, x.Subset(pick).ToMatrix().Data);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.GatherInto([7], new Matrix(1, 5)));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.CopyRowsInto(4, 4, new Matrix(4, 5)));
        Assert.Throws<ArgumentException>(() => x.GatherInto([1], new Matrix(1, 4)));
    }

    [Fact]
    public void OneFloatBlockIsTheMatrixItself()
    {
        var m = Rows(3, 4, 0);
        Assert.Same(m.Data, FeatureRows.Of(m).AsMatrix!.Data);
        Assert.Same(m.Data, FeatureRows.Of(m).ToMatrix().Data);
    }

    /// <summary>Half precision holds each value rounded to the nearest half (11 significant bits) and reads it back as
    /// that value; subsets and row updates keep it there.</summary>
    [Fact]
    public void HalfPrecisionRoundsEachValueToTheNearestHalf()
    {
        var whole = Rows(7, 5, 0);
        var half = Blocks().In(FeaturePrecision.Half);
        Assert.Equal(FeaturePrecision.Half, half.Precision);
        var expected = whole.Data.Select(v => (float)(Half)v).ToArray();
        Assert.Equal(expected, half.ToMatrix().Data);
        Assert.Contains(expected.Zip(whole.Data), p => p.First != p.Second);   // the rounding is real
        Assert.All(expected.Zip(whole.Data), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, Math.Abs(p.Second) / 2048 + 1e-7));
        Assert.Equal(expected.Chunk(5).ToArray()[6], half.Subset([6]).ToMatrix().Data);
        Assert.Equal(FeaturePrecision.Half, half.Subset([6]).Precision);
        Assert.Equal(expected, half.In(FeaturePrecision.Single).ToMatrix().Data);

        half.SubtractThenScale([1, 1, 1, 1, 1], [2, 2, 2, 2, 2]);
        Assert.Equal(expected.Select(v => (float)(Half)((v - 1) * 2)), half.ToMatrix().Data);
    }

    /// <summary>A finite value beyond half's range is refused by its place and value, not made infinite.</summary>
    [Fact]
    public void HalfPrecisionRefusesWhatItCannotHold()
    {
        var m = Rows(3, 4, 0);
        m[2, 1] = 70_000;
        var ex = Assert.Throws<OverflowException>(() => FeatureRows.Of(m).In(FeaturePrecision.Half));
        Assert.Contains("features[2,1] = 70000 is beyond half precision's range", ex.Message);
        var half = FeatureRows.Of(Rows(3, 4, 0)).In(FeaturePrecision.Half);
        var before = half.ToMatrix().Data;
        ex = Assert.Throws<OverflowException>(() => half.SubtractThenScale(new float[4], [1, 1e6f, 1, 1]));
        Assert.Contains("beyond half precision's range", ex.Message);
        Assert.Equal(before, half.ToMatrix().Data);   // the row that would overflow is left as it was
    }

    [Fact]
    public void ConcatRefusesPartsThatDoNotLineUp()
    {
        Assert.Throws<ArgumentException>(() => FeatureRows.Concat([FeatureRows.Of(Rows(2, 3, 0)), FeatureRows.Of(Rows(2, 4, 0))]));
        Assert.Throws<ArgumentException>(() => FeatureRows.Concat([FeatureRows.Of(Rows(2, 3, 0)), FeatureRows.Of(Rows(2, 3, 0)).In(FeaturePrecision.Half)]));
    }
}

/// <summary><c>hebb eval --features DIR</c> keeps each part as it is encoded, takes back the parts it holds (an augmented
/// copy is the same whichever copies came before it), and refuses a folder of other features.</summary>
public class FeatureCacheCliTests
{
    [Fact]
    public void PartsAreKeptResumedAndRefusedWhereTheyAreNotTheRunsFeatures()
    {
        string root = Fixtures.TempDir();
        Fixtures.WriteTinyCifar(root);
        string kept = Path.Combine(root, "kept"), fresh = Path.Combine(root, "fresh");
        string[] eval = ["eval", "raw", "--dataset", "cifar10", "--probe", "linear", "--epochs", "1", "--data", root, "--backend", "cpu-managed"];
        var (code, output, err) = Fixtures.Hebb(root, [.. eval, "--augment", "1", "--features", kept, "--feature-precision", "half", "--out", Path.Combine(root, "a")]);
        Assert.True(code == 0, output + err);
        foreach (var part in new[] { "train-0", "train-1", "test" })
            Assert.Equal("<f2", Hebb.Data.Npy.Dtype(Path.Combine(kept, part + ".npy")));
        Assert.Equal("half", (string)System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(root, "a", "report.json")))!["feature_precision"]!);

        // Two copies: the first and the test images are taken back, the second encoded and kept.
        (code, output, err) = Fixtures.Hebb(root, [.. eval, "--augment", "2", "--features", kept, "--feature-precision", "half", "--out", Path.Combine(root, "b")]);
        Assert.True(code == 0, output + err);
        Assert.Contains("3 of 4 parts kept there", System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " "));
        Assert.True(File.Exists(Path.Combine(kept, "train-2.npy")));

        // The second copy encoded alone, in float32 in a new folder, is the kept one before its rounding.
        (code, output, err) = Fixtures.Hebb(root, [.. eval, "--augment", "2", "--features", fresh, "--out", Path.Combine(root, "c")]);
        Assert.True(code == 0, output + err);
        var single = Hebb.Data.Npy.Read(Path.Combine(fresh, "train-2.npy"));
        var (rows, cols, half) = Hebb.Data.Npy.ReadHalf(Path.Combine(kept, "train-2.npy"));
        Assert.Equal((single.Rows, single.Cols), (rows, cols));
        Assert.Equal(single.Data.Select(v => (Half)v), half);

        // A folder an earlier hebb kept without copies (one train.npy, the options in its key) is taken over.
        string earlier = Path.Combine(root, "earlier");
        Directory.CreateDirectory(earlier);
        File.Copy(Path.Combine(fresh, "train-0.npy"), Path.Combine(earlier, "train.npy"));
        File.Copy(Path.Combine(fresh, "test.npy"), Path.Combine(earlier, "test.npy"));
        File.WriteAllText(Path.Combine(earlier, "features.json"), "{\"key\":\"raw pixels of cifar10 | cifar10 | training 72 | test 20 | augment 0 | shadow False | seed 1\"}");
        (code, output, err) = Fixtures.Hebb(root, [.. eval, "--features", earlier, "--out", Path.Combine(root, "d")]);
        Assert.True(code == 0, output + err);
        Assert.Contains("2 of 2 parts kept there", System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " "));
        Assert.True(File.Exists(Path.Combine(earlier, "train-0.npy")) && !File.Exists(Path.Combine(earlier, "train.npy")));
        File.WriteAllText(Path.Combine(earlier, "features.json"), "{\"key\":\"raw pixels of cifar10 | cifar10 | training 72 | test 20 | augment 1 | shadow False | seed 1\"}");
        Fixtures.Refused(root, "holds the features of", [.. eval, "--features", earlier]);   // one with copies is not

        // Copies drawn with another augmentation are refused by what drew them; given those options they are taken.
        var keyOf = () => System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(kept, "features.json")))!;
        Assert.Equal("rotation <= 15 deg, shift <= 3.2 px, fill nearest, horizontal flip", (string)keyOf()["augmentation"]!);
        Fixtures.Refused(root, "drawn with rotation <= 15 deg, shift <= 3.2 px, fill nearest, horizontal flip; this run draws rotation <= 15 deg, shift <= 2 px, fill zero",
            [.. eval, "--augment", "1", "--augment-shift", "2", "--augment-fill", "zero", "--features", kept, "--feature-precision", "half"]);
        (code, output, err) = Fixtures.Hebb(root, [.. eval, "--augment", "2", "--augment-shift", "3.2", "--features", kept, "--feature-precision", "half", "--out", Path.Combine(root, "e")]);
        Assert.True(code == 0, output + err);
        Assert.Contains("4 of 4 parts kept there", System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " "));
        // A folder kept before the augmentation was written (copies, no "augmentation") holds hebb's earlier copies.
        File.WriteAllText(Path.Combine(kept, "features.json"), new System.Text.Json.Nodes.JsonObject { ["key"] = (string)keyOf()["key"]! }.ToJsonString());
        Fixtures.Refused(root, "drawn with rotation <= 15 deg, shift <= 2 px, fill zero, horizontal flip; this run draws rotation <= 15 deg, shift <= 3.2 px",
            [.. eval, "--augment", "1", "--features", kept, "--feature-precision", "half"]);
        (code, output, err) = Fixtures.Hebb(root, [.. eval, "--augment", "1", "--augment-shift", "2", "--augment-fill", "zero", "--features", kept, "--feature-precision", "half", "--out", Path.Combine(root, "f")]);
        Assert.True(code == 0, output + err);
        Assert.Equal("rotation <= 15 deg, shift <= 2 px, fill zero, horizontal flip", (string)System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(root, "f", "report.json")))!["augmentation"]!);
        // Without copies kept, a run's augmentation is the folder's from then on.
        foreach (var copy in Directory.GetFiles(kept, "train-*.npy").Where(f => !f.EndsWith("train-0.npy"))) File.Delete(copy);
        (code, output, err) = Fixtures.Hebb(root, [.. eval, "--augment", "1", "--augment-rotation", "10", "--features", kept, "--feature-precision", "half", "--out", Path.Combine(root, "g")]);
        Assert.True(code == 0, output + err);
        Assert.Equal("rotation <= 10 deg, shift <= 3.2 px, fill nearest, horizontal flip", (string)keyOf()["augmentation"]!);
        Fixtures.Refused(root, "--augment-shift 0.2: it shapes the augmented copies; give --augment C too", [.. eval, "--augment-shift", "0.2"]);
        Fixtures.Refused(root, "--augment-rotation 200: must be in [0, 180]", [.. eval, "--augment", "1", "--augment-rotation", "200"]);
        Fixtures.Refused(root, "--augment-fill wrap: allowed values are nearest, zero", [.. eval, "--augment", "1", "--augment-fill", "wrap"]);

        Fixtures.Refused(root, "holds half-precision features; add --feature-precision half", [.. eval, "--features", kept]);
        Fixtures.Refused(root, $"--features {kept} holds the features of 'raw pixels of cifar10 | cifar10 | training 72 | test 20 | seed 1', not of", [.. eval, "--features", kept, "--limit-train", "30"]);
        Fixtures.Refused(root, "--feature-precision double: allowed values", [.. eval, "--feature-precision", "double"]);
    }
}

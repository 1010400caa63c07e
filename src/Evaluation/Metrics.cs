using Hebb.Contracts;

namespace Hebb.Evaluation;

/// <summary>The papers' representation metrics.</summary>
public static class Metrics
{
    /// <summary>
    /// The binomial standard error of an accuracy measured on <paramref name="count"/> independent test images,
    /// sqrt(a (1 - a) / count): the spread to expect from the choice of test images alone (CIFAR-10's test half of
    /// 5,000 at 70%: 0.65 points), so differences between runs smaller than about twice it mean little.
    /// </summary>
    public static double BinomialStandardError(double accuracy, int count)
    {
        if (!(accuracy >= 0 && accuracy <= 1)) throw new ArgumentOutOfRangeException(nameof(accuracy), accuracy, "accuracy must be in [0, 1]");
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be >= 1 test image");
        return Math.Sqrt(accuracy * (1 - accuracy) / count);
    }

    /// <summary>The index of the largest value; the lowest index on ties (DESIGN's tie rule).</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }

    /// <summary>The winning unit of each input: the largest current &lt;W_mu, v&gt;, the quantity the rule ranks.</summary>
    public static int[] Winners(IKrotovLayer layer, Matrix images)
    {
        var winners = new int[images.Rows];
        const int chunk = 1000;
        for (int start = 0; start < images.Rows; start += chunk)
        {
            int c = Math.Min(chunk, images.Rows - start);
            var cur = layer.Currents(images.SliceRows(start, c));
            for (int r = 0; r < c; r++) winners[start + r] = ArgMax(cur.Row(r));
        }
        return winners;
    }

    /// <summary>
    /// Neuron utilization (CSNN Fig. 5): for consecutive batches of <paramref name="batch"/> inputs, the share of
    /// the <paramref name="units"/> that win for at least one input of the batch; the mean over the batches.
    /// </summary>
    public static double Utilization(int[] winners, int units, int batch)
    {
        if (units < 1) throw new ArgumentOutOfRangeException(nameof(units), units, "units must be >= 1");
        if (batch < 1 || batch > winners.Length) throw new ArgumentOutOfRangeException(nameof(batch), batch, $"batch must be in 1..{winners.Length}");
        var seen = new bool[units];
        double sum = 0;
        int batches = winners.Length / batch;
        for (int b = 0; b < batches; b++)
        {
            Array.Clear(seen);
            int distinct = 0;
            for (int i = b * batch; i < (b + 1) * batch; i++) if (!seen[winners[i]]) { seen[winners[i]] = true; distinct++; }
            sum += (double)distinct / units;
        }
        return sum / batches;
    }

    /// <summary>
    /// Neural selectivity (URL-SOM section V-C): each unit's label is the most frequent label among the inputs it
    /// wins (the lowest label on ties); the share of inputs whose winner's label is their own label.
    /// </summary>
    public static double NeuralSelectivity(int[] winners, int[] labels, int units, int classes)
    {
        if (winners.Length != labels.Length) throw new ArgumentException($"{winners.Length} winners but {labels.Length} labels", nameof(labels));
        var counts = new int[units, classes];
        for (int i = 0; i < winners.Length; i++) counts[winners[i], labels[i]]++;
        int right = 0;
        for (int u = 0; u < units; u++)
        {
            int best = 0;
            for (int c = 1; c < classes; c++) if (counts[u, c] > counts[u, best]) best = c;
            right += counts[u, best];
        }
        return winners.Length == 0 ? 0 : (double)right / winners.Length;
    }
}

using System.Diagnostics;
using Hebb.Contracts;

namespace Hebb.Evaluation;

/// <summary>
/// One probe's training (<see cref="ProbeTrainer"/>'s protocol) a step at a time, for a caller that drives it: Adam
/// on shuffled minibatches, an evaluation point every <see cref="ProbeTraining.EvalEvery"/> steps (0: four an epoch)
/// and at the last, the pocket rule on validation accuracy. The caller scores the validation and test sets at each
/// point (<see cref="Record"/>), so that several runs can be scored in one pass over a set (few-shot's draws). All
/// randomness (initial weights, batch order, dropout masks) comes from <see cref="ProbeTraining.Seed"/>.
/// </summary>
public sealed class ProbeRun : IDisposable
{
    readonly LabeledSet _train;
    readonly bool _validated;
    readonly Random _rng;
    readonly int[] _order, _labels, _trainingSample;
    readonly int _stepsPerEpoch, _every;
    readonly ProbeTraining _t;
    readonly RowBuffers _buffers;
    readonly List<ProbePoint> _curve = [];
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly string _advice;
    ProbePoint? _best;
    double _lossSum, _firstLoss = double.NaN;
    int _lossCount;
    bool _due;

    /// <summary>The probe as it stands (to score sets with between steps).</summary>
    public IClassifier Probe { get; }
    /// <summary>Steps taken, and in all (epochs times minibatches an epoch).</summary>
    public int Steps { get; private set; }
    public int Total { get; }
    public bool Finished => Steps == Total;

    public ProbeRun(IEngine engine, ProbeOptions options, Split split, ProbeTraining t)
    {
        _train = split.Train;
        _validated = split.Validation is not null;
        _rng = new Random(t.Seed);
        Probe = engine.CreateClassifier(options, ProbeInit.Initial(options, _rng));
        int n = _train.Count;
        _stepsPerEpoch = (n + t.Batch - 1) / t.Batch;
        _every = t.EvalEvery > 0 ? t.EvalEvery : Math.Max(1, _stepsPerEpoch / 4);
        Total = t.Epochs * _stepsPerEpoch;
        _t = t;
        _order = [.. Enumerable.Range(0, n)];
        _labels = new int[t.Batch];
        _buffers = new RowBuffers(_train.X.Cols);
        _trainingSample = ProbeTrainer.TrainingSample(n);
        _advice = $"--lr {t.LearningRate} is too large for these features, try a smaller --lr (or scale the features: --standardize on)";
    }

    /// <summary>One minibatch step (each epoch shuffled first); true where an evaluation point follows, which the
    /// caller then records before the next step. A loss that becomes NaN or infinite throws
    /// <see cref="ProbeDivergedException"/>.</summary>
    public bool Next()
    {
        if (Finished) throw new InvalidOperationException($"the probe has taken all its {Total} steps");
        if (_due) throw new InvalidOperationException($"step {Steps}'s evaluation point has not been recorded");
        int n = _train.Count, s = Steps % _stepsPerEpoch;
        if (s == 0) _rng.Shuffle(_order);
        var idx = _order.AsSpan(s * _t.Batch, Math.Min(_t.Batch, n - s * _t.Batch));
        var x = _buffers.Gather(_train.X, idx);
        var y = _labels.AsSpan(0, idx.Length);
        for (int i = 0; i < idx.Length; i++) y[i] = _train.Y[idx[i]];
        double loss = Probe.Step(x, y, ProbeInit.Masks(Probe.Options, idx.Length, _rng), _t.RateAt(Steps, Total));
        if (!double.IsFinite(loss))
            throw new ProbeDivergedException($"the probe's training diverged: at step {Steps + 1} (epoch {(double)(Steps + 1) / _stepsPerEpoch:F2}) its loss is {loss}; {_advice}");
        if (Steps == 0) _firstLoss = loss;
        _lossSum += loss;
        _lossCount++;
        Steps++;
        _due = Steps % _every == 0 || Finished;
        return _due;
    }

    /// <summary>Whether the pocket rule would choose a point of this validation accuracy (null: no validation set, where
    /// the last point is chosen): it rises above every point's before.</summary>
    public bool MayChoose(double? validation) => validation is null || _best is null || validation > _best.ValidationAccuracy;

    /// <summary>The evaluation point after the step <see cref="Next"/> announced: the mean loss since the last point,
    /// the training sample's accuracy (measured here), and the caller's validation (null without a validation set) and
    /// test accuracy (null: not measured, allowed only where <see cref="MayChoose"/> is false).</summary>
    public ProbePoint Record(double? validation, double? test)
    {
        if (!_due) throw new InvalidOperationException($"step {Steps} is not an evaluation point");
        if ((validation is null) == _validated) throw new ArgumentException($"a validation accuracy is required exactly when the split has a validation set", nameof(validation));
        if (test is null && MayChoose(validation)) throw new ArgumentException("the test accuracy is required at a point the pocket rule may choose", nameof(test));
        var point = new ProbePoint(Steps, (double)Steps / _stepsPerEpoch, _lossSum / _lossCount, Accuracy(_train, _trainingSample), validation, test);
        _lossSum = 0; _lossCount = 0; _due = false;
        _curve.Add(point);
        if (_validated && MayChoose(validation)) _best = point;
        return point;
    }

    /// <summary>The outcome once every step is taken. A loss that ends above <see cref="ProbeTrainer.RiseFactor"/>
    /// times the first step's throws <see cref="ProbeDivergedException"/>.</summary>
    public ProbeResult Result()
    {
        if (!Finished || _due) throw new InvalidOperationException($"the probe has taken {Steps} of its {Total} steps");
        if (_curve[^1].TrainLoss > ProbeTrainer.RiseFactor * _firstLoss)
            throw new ProbeDivergedException($"the probe's training diverged: its loss rose from {_firstLoss:g4} at the first step to {_curve[^1].TrainLoss:g4} over its last steps; {_advice}");
        return new ProbeResult(_curve, _best ?? _curve[^1], _clock.Elapsed.TotalSeconds);
    }

    /// <summary>The probe's accuracy on rows <paramref name="rows"/> of <paramref name="set"/> (null: every row).</summary>
    public double Accuracy(LabeledSet set, int[]? rows = null) => Accuracies(Probe, 1, set, rows, _buffers)[0];

    /// <summary>The most rows whose logits are computed in one call without a copy (a CIFAR-10 test half, or the whole test set).</summary>
    const int WholeSet = 10_000;

    /// <summary>For each of <paramref name="blocks"/> classifiers side by side in <paramref name="probe"/> (its logits
    /// are theirs one after another: block b is classes b * Classes / blocks onwards), the share of rows
    /// <paramref name="rows"/> of <paramref name="set"/> (null: every row) whose largest logit in the block (ties: the
    /// lowest class) is the label.</summary>
    internal static double[] Accuracies(IClassifier probe, int blocks, LabeledSet set, int[]? rows, RowBuffers buffers)
    {
        var right = new int[blocks];
        int classes = probe.Options.Classes / blocks, count = rows?.Length ?? set.Count;
        void Count(Matrix x, int start, int c)
        {
            var logits = probe.Logits(x);
            for (int r = 0; r < c; r++)
            {
                int label = set.Y[rows is null ? start + r : rows[start + r]];
                for (int b = 0; b < blocks; b++)
                    if (Metrics.ArgMax(logits.Row(r).Slice(b * classes, classes)) == label) right[b]++;
            }
        }
        // A validation or test half is taken as it is: copying it into a buffer at every evaluation point cost more
        // than its logits (few-shot evaluates at every step).
        if (rows is null && set.Count <= WholeSet && set.X.AsMatrix is { } whole) Count(whole, 0, set.Count);
        else
        {
            const int chunk = 2000;
            for (int start = 0; start < count; start += chunk)
            {
                int c = Math.Min(chunk, count - start);
                Count(rows is null ? buffers.Rows(set.X, start, c) : buffers.Gather(set.X, rows.AsSpan(start, c)), start, c);
            }
        }
        return [.. right.Select(k => (double)k / count)];
    }

    public void Dispose() => Probe.Dispose();
}

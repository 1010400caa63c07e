using Hebb.Contracts;
using Hebb.Data;
using Hebb.Runs;

namespace Hebb.Checks;

/// <summary>Reads an outside implementation's states after each step of a case: a folder with one stacked array per
/// state tensor (NAME.npy, steps first) or one file per step (step-0001.NAME.npy, ...), or, for a state of one tensor, a
/// single stacked .npy file. float32 or float64. Refuses, naming the file, a wrong shape, too few or too many steps and a
/// value that is not finite.</summary>
public static class Trajectory
{
    public static IReadOnlyList<State> Read(CheckCase c, string theirs)
    {
        var stacked = new Dictionary<string, NdArray>();
        var files = new Dictionary<string, string>();
        if (File.Exists(theirs))
        {
            if (c.StateNames.Count != 1)
                throw new UsageException($"{theirs}: a single file holds one tensor; the {c.Rule} state has {c.StateNames.Count} ({string.Join(", ", c.StateNames)}): give a folder with one NAME.npy each");
            stacked[c.StateNames[0]] = Npy.ReadArray(theirs);
            files[c.StateNames[0]] = theirs;
        }
        else if (Directory.Exists(theirs))
        {
            foreach (var name in c.StateNames)
            {
                string stem = RuleState.FileStem(name), file = Path.Combine(theirs, stem + ".npy");
                if (File.Exists(file)) { stacked[name] = Npy.ReadArray(file); files[name] = file; continue; }
                var steps = new List<NdArray>();
                for (int t = 1; ; t++)
                {
                    string step = Path.Combine(theirs, $"step-{t:D4}.{stem}.npy");
                    if (!File.Exists(step)) break;
                    steps.Add(Npy.ReadArray(step));
                    var expected = c.Initial[name].Shape;
                    if (!steps[^1].Shape.SequenceEqual(expected))
                        throw new UsageException($"{step}: shape {NdArray.Describe(steps[^1].Shape)}; the state '{name}' is {NdArray.Describe(expected)}");
                }
                if (steps.Count == 0)
                    throw new UsageException($"{theirs}: neither {stem}.npy (every step stacked) nor step-0001.{stem}.npy (one file per step) is there");
                stacked[name] = NdArray.Stack(steps);
                files[name] = Path.Combine(theirs, $"step-NNNN.{stem}.npy");
            }
        }
        else throw new UsageException($"{theirs}: no such file or folder (your implementation's states after each step)");

        var result = Enumerable.Range(0, c.Count).Select(_ => new Dictionary<string, NdArray>()).ToList();
        foreach (var name in c.StateNames)
        {
            var a = stacked[name];
            var shape = c.Initial[name].Shape;
            string file = files[name];
            if (a.Rank != shape.Length + 1 || !a.Shape[1..].SequenceEqual(shape))
                throw new UsageException($"{file}: shape {NdArray.Describe(a.Shape)}; the states of '{name}' stacked over the steps are ({c.Count}, {string.Join(", ", shape)})");
            int first = 0;
            if (a.Shape[0] == c.Count + 1 && a.Item(0).Data.Zip(c.Initial[name].Data).All(p => (float)p.First == (float)p.Second)) first = 1;   // the initial state saved first
            if (a.Shape[0] - first < c.Count)
                throw new UsageException($"{file}: {a.Shape[0]} steps; the case has {c.Count} (every step's state is needed, the first after step 1)");
            if (a.Shape[0] - first > c.Count)
                throw new UsageException($"{file}: {a.Shape[0]} steps; the case has {c.Count} (the first item is the state after step 1, unless it equals the initial state)");
            for (int t = 0; t < c.Count; t++)
            {
                var item = a.Item(t + first);
                int bad = Array.FindIndex(item.Data, v => !double.IsFinite(v));
                if (bad >= 0)
                    throw new UsageException($"{file}: the state '{name}' after step {t + 1} holds {item.Data[bad]} at {StateMatch.Index(item.Shape, bad)}; every value must be finite");
                result[t][name] = item;
            }
        }
        return result;
    }
}

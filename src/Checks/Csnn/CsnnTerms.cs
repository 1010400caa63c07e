using Hebb.Data;
using Hebb.Reference;

namespace Hebb.Checks;

/// <summary>
/// One step of CSNN's masked multi-head sconv layer composed from the reference's functions (<c>Csnn.winners</c>,
/// <c>Csnn.weightDeltas</c>, <c>Csnn.maskDeltas</c>, <c>Csnn.normalize</c>; the patches by <c>NnlConv.patches</c>), so that
/// the check can make one departure (<see cref="CsnnMistake"/>) at a time or read a near-tied BMU the other way. With
/// no mistake it is <c>Csnn.step</c>.
/// </summary>
public sealed class CsnnTerms(CsnnSettings o)
{
    /// <summary>The reference's maps from a check state ("weights/h", "masks/h").</summary>
    public Csnn.Map[] Maps(State s) => Enumerable.Range(0, o.Maps).Select(h => new Csnn.Map(Rows(s[$"weights/{h}"]), Rows(s[$"masks/{h}"]))).ToArray();

    /// <summary>The patches of a step's images (every position, image by image), channel-major, or (dy, dx, c).</summary>
    public double[][] Patches(NdArray images, bool heightWidthChannel = false)
    {
        var g = new NnlConv.Geometry(o.Height, o.Width, o.Channels, o.Kernel, o.Stride, o.Padding, o.Padding, 1, 1);
        int size = o.Channels * o.Height * o.Width, kk = o.Kernel * o.Kernel;
        var list = new List<double[]>();
        for (int b = 0; b < images.Shape[0]; b++)
            foreach (var p in NnlConv.patches(g, images.Data.AsSpan(b * size, size).ToArray()))
                list.Add(heightWidthChannel ? Enumerable.Range(0, p.Length).Select(j => p[(j % o.Channels) * kk + j / o.Channels]).ToArray() : p);
        return [.. list];
    }

    /// <summary>Each patch's BMU per map (-1 for a map it does not update), as <c>Csnn.winners</c>.</summary>
    public int[][] Bmus(Csnn.Map[] maps, double[][] patches, bool allBmus, bool unmasked = false)
    {
        var scored = unmasked ? maps.Select(m => new Csnn.Map(m.W, m.M.Select(r => r.Select(_ => 1.0).ToArray()).ToArray())).ToArray() : maps;
        return patches.Select(p => Csnn.winners(allBmus, o.Kind, scored, p)).ToArray();
    }

    /// <summary>The reference's own step (<c>Csnn.step</c>) with rates (a, b), from <paramref name="before"/>.</summary>
    public State ReferenceStep(State before, NdArray images, double a, double b)
    {
        var options = new Csnn.StepOptions(new Csnn.Grid(o.GridRows, o.GridCols), o.Sigma, o.Kind,
            o.MaskRule == "12" ? Csnn.MaskRule.NewAllMasks(o.Gamma) : Csnn.MaskRule.NewEarlierMasks(o.Gamma), o.AllBmus, o.MaskNeighbourhood);
        var maps = Csnn.step(options, a, b, Maps(before), Patches(images));
        var next = new Dictionary<string, NdArray>();
        for (int h = 0; h < o.Maps; h++)
        {
            next[$"weights/{h}"] = new NdArray(before[$"weights/{h}"].Shape, maps[h].W.SelectMany(r => r).ToArray());
            next[$"masks/{h}"] = new NdArray(before[$"masks/{h}"].Shape, maps[h].M.SelectMany(r => r).ToArray());
        }
        return next;
    }

    /// <summary>The state after one step with rates (a, b), from <paramref name="before"/>, with one mistake made and the
    /// BMUs given (or computed as the mistake reads them).</summary>
    public State Step(State before, NdArray images, double a, double b, CsnnMistake mistake = CsnnMistake.None, int[][]? bmus = null)
    {
        var maps = Maps(before);
        var patches = Patches(images, mistake == CsnnMistake.PatchLayout);
        bmus ??= Bmus(maps, patches, mistake == CsnnMistake.OtherMaps ? !o.AllBmus : o.AllBmus, mistake == CsnnMistake.UnmaskedBmu);
        if (mistake == CsnnMistake.RatesSwapped) (a, b) = (b, a);
        double sigma = mistake switch { CsnnMistake.NeighbourhoodWithout2 => o.Sigma / Math.Sqrt(2), CsnnMistake.BmuOnly => 1e-3, _ => o.Sigma };
        var rule = mistake switch
        {
            CsnnMistake.OtherMaskRule => o.MaskRule == "12" ? Csnn.MaskRule.NewEarlierMasks(o.Gamma) : Csnn.MaskRule.NewAllMasks(o.Gamma),
            CsnnMistake.GammaZero => o.MaskRule == "12" ? Csnn.MaskRule.NewAllMasks(0) : Csnn.MaskRule.NewEarlierMasks(0),
            _ => o.MaskRule == "12" ? Csnn.MaskRule.NewAllMasks(o.Gamma) : Csnn.MaskRule.NewEarlierMasks(o.Gamma),
        };
        bool nh = mistake == CsnnMistake.OtherMaskNeighbourhood ? !o.MaskNeighbourhood : o.MaskNeighbourhood;
        var grid = new Csnn.Grid(o.GridRows, o.GridCols);
        var next = new Dictionary<string, NdArray>();
        for (int h = 0; h < o.Maps; h++)
        {
            var map = maps[h];
            double[][] dw;
            if (mistake == CsnnMistake.MaskedPatchLearned)
            {
                // eq. 4 with each neuron's own masked patch p o m_i in place of p
                dw = Enumerable.Range(0, map.W.Length).Select(i => new double[map.W[i].Length]).ToArray();
                for (int q = 0; q < patches.Length; q++)
                {
                    int c = bmus[q][h];
                    if (c < 0) continue;
                    for (int i = 0; i < dw.Length; i++)
                    {
                        double hi = Csnn.neighbourhood(grid, sigma, c, i);
                        var y = Csnn.maskedPatch(o.Kind, patches[q], map.M[i]);
                        for (int j = 0; j < y.Length; j++) dw[i][j] += a * hi * y[j] / patches.Length;
                    }
                }
            }
            else
            {
                int won = bmus.Count(x => x[h] >= 0);
                double rate = mistake == CsnnMistake.AveragedOverWonPatches && won > 0 ? a * patches.Length / won : a;
                dw = Csnn.weightDeltas(grid, sigma, rate, patches, bmus, h);
            }
            var dm = Csnn.maskDeltas(grid, o.Sigma, o.Kind, rule, nh, b, patches, bmus, h, map.M);
            var w = map.W.Select((row, i) => row.Zip(dw[i], (x, d) => x + d).ToArray()).Select(r => mistake == CsnnMistake.NoRenormalization ? r : Csnn.normalize(r)).ToArray();
            var m = map.M.Select((row, i) => row.Zip(dm[i], (x, d) => x + d).ToArray()).ToArray();
            next[$"weights/{h}"] = new NdArray(before[$"weights/{h}"].Shape, w.SelectMany(r => r).ToArray());
            next[$"masks/{h}"] = new NdArray(before[$"masks/{h}"].Shape, m.SelectMany(r => r).ToArray());
        }
        return next;
    }

    static double[][] Rows(NdArray a) =>
        Enumerable.Range(0, a.Shape[0]).Select(i => a.Data.AsSpan(i * a.Shape[1], a.Shape[1]).ToArray()).ToArray();
}

using ScottPlot;

namespace Hebb.Data;

/// <summary>Line charts a person reads without the report beside them: a title that names the run and what is drawn,
/// both axes named with their units, and a legend naming each line (ScottPlot, rendered by SkiaSharp). Images of
/// weights and maps stay with <see cref="Pictures"/>.</summary>
public static class Charts
{
    /// <summary>One line: its name in the legend and its points.</summary>
    public sealed record Line(string Name, double[] X, double[] Y);

    /// <summary>Writes a PNG of <paramref name="lines"/> (whole or not at all). Non-finite points are left out; a line
    /// with no points is left out of the plot and named in the title's second row as having none.</summary>
    public static void Lines(string path, string title, string xLabel, string yLabel, IReadOnlyList<Line> lines, int width = 800, int height = 500)
    {
        var plot = new Plot();
        var empty = new List<string>();
        foreach (var line in lines)
        {
            var points = line.X.Zip(line.Y).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second)).ToArray();
            if (points.Length == 0) { empty.Add(line.Name); continue; }
            var scatter = plot.Add.Scatter(points.Select(p => p.First).ToArray(), points.Select(p => p.Second).ToArray());
            scatter.LegendText = line.Name;
            scatter.LineWidth = 2;
            scatter.MarkerSize = points.Length <= 40 ? 5 : 0;
        }
        plot.Title(Wrap(empty.Count == 0 ? title : $"{title} (no points: {string.Join(", ", empty)})", width / 11));
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Edge.Bottom);
        var bytes = plot.GetImageBytes(width, height, ImageFormat.Png);
        AtomicFile.Write(path, s => s.Write(bytes));
    }

    /// <summary>The title broken into lines of at most <paramref name="columns"/> characters at spaces (a run's folder
    /// and what is drawn, readable at the image's width).</summary>
    static string Wrap(string text, int columns)
    {
        var lines = new List<string>();
        var line = new System.Text.StringBuilder();
        foreach (var word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > columns) { lines.Add(line.ToString()); line.Clear(); }
            if (line.Length > 0) line.Append(' ');
            line.Append(word);
        }
        lines.Add(line.ToString());
        return string.Join("\n", lines);
    }
}

using Spectre.Console;

namespace Hebb.Runs;

/// <summary>Long work's progress bar (description, bar, percentage, time left), set up in one place.</summary>
public static class Progress
{
    /// <summary>Runs <paramref name="body"/> with one progress task of <paramref name="max"/> units named
    /// <paramref name="description"/>; the bar stays on screen when it ends.</summary>
    public static void Run(string description, double max, Action<ProgressTask> body) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx => body(ctx.AddTask(description, maxValue: max)));
}

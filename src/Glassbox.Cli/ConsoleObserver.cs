using Glassbox.App;
using Spectre.Console;

namespace Glassbox.Cli;

/// <summary>Shows workflow stages as Spectre.Console progress bars and prints each stage's summary.</summary>
internal sealed class ConsoleObserver(ProgressContext progress) : IRunObserver
{
    private readonly Dictionary<string, ProgressTask> _tasks = new();

    public void StageStarted(string stage, double total)
    {
        var task = progress.AddTask(Markup.Escape(stage), maxValue: Math.Max(1, total));
        _tasks[stage] = task;
    }

    public void StageProgress(string stage, double done, string? detail = null)
    {
        if (!_tasks.TryGetValue(stage, out var task)) return;
        task.Value = Math.Min(done, task.MaxValue);
        if (detail is not null) task.Description = $"{Markup.Escape(stage)} [grey]{Markup.Escape(detail)}[/]";
    }

    public void StageFinished(string stage, string summary)
    {
        if (_tasks.TryGetValue(stage, out var task))
        {
            task.Value = task.MaxValue;
            task.Description = Markup.Escape(stage);
            task.StopTask();
        }
        AnsiConsole.MarkupLine($"[green]✓[/] {Markup.Escape(stage)}: {Markup.Escape(summary)}");
    }

    /// <summary>Runs <paramref name="work"/> with progress bars (percentage, elapsed, remaining time).</summary>
    public static T Run<T>(Func<IRunObserver, T> work)
        => AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx => work(new ConsoleObserver(ctx)));
}

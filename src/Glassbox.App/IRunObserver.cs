namespace Glassbox.App;

/// <summary>Receives progress of long work (training, explaining, checking) so a shell can draw progress bars.</summary>
public interface IRunObserver
{
    /// <summary>A named stage began; <paramref name="total"/> units of work are expected.</summary>
    void StageStarted(string stage, double total);

    /// <summary>Progress within the current stage.</summary>
    void StageProgress(string stage, double done, string? detail = null);

    /// <summary>The stage ended; <paramref name="summary"/> says what it produced.</summary>
    void StageFinished(string stage, string summary);
}

/// <summary>An observer that ignores everything.</summary>
public sealed class SilentObserver : IRunObserver
{
    /// <inheritdoc />
    public void StageStarted(string stage, double total) { }
    /// <inheritdoc />
    public void StageProgress(string stage, double done, string? detail = null) { }
    /// <inheritdoc />
    public void StageFinished(string stage, string summary) { }
}

/// <summary>Reports a library <see cref="IProgress{T}"/> of (done, total) to an observer's stage.</summary>
internal sealed class StageProgress(IRunObserver observer, string stage) : IProgress<(int Done, int Total)>
{
    public void Report((int Done, int Total) value) => observer.StageProgress(stage, value.Done);
}

/// <summary>An <see cref="IProgress{T}"/> that reports synchronously on the worker's thread.</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

namespace Glassbox.Workflow;

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

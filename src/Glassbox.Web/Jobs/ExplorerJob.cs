using Glassbox.App;

namespace Glassbox.Web.Jobs;

/// <summary>Where a job is in its life.</summary>
internal enum JobState { Queued, Running, Done, Failed, Cancelled }

/// <summary>
/// One background job (an explanation or a sample grid): its state, its progress as the App layer reports it through
/// <see cref="IRunObserver"/>, its result or error, and its output folder. Every change bumps <see cref="Version"/> and
/// wakes those waiting in <see cref="WaitForChangeAsync"/> (the server-sent event stream).
/// </summary>
internal sealed class ExplorerJob : IRunObserver
{
    private readonly object _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ExplorerJob(string id, string kind, string folder, TimeSpan timeout)
    {
        Id = id;
        Kind = kind;
        Folder = folder;
        Timeout = timeout;
        Created = DateTimeOffset.UtcNow;
    }

    public string Id { get; }
    public string Kind { get; }
    public string Folder { get; }
    public TimeSpan Timeout { get; }
    public DateTimeOffset Created { get; }
    public DateTimeOffset? Started { get; private set; }
    public DateTimeOffset? Finished { get; private set; }
    public JobState State { get; private set; } = JobState.Queued;
    public string? Stage { get; private set; }
    public double Done { get; private set; }
    public double Total { get; private set; }
    public string? Detail { get; private set; }
    public string? Error { get; private set; }
    public object? Result { get; private set; }
    public long Version { get; private set; }

    /// <summary>Cancelled by DELETE /api/jobs/{id}.</summary>
    public CancellationTokenSource Cancellation { get; } = new();

    /// <summary>True once the job has ended (done, failed or cancelled).</summary>
    public bool Ended => State is JobState.Done or JobState.Failed or JobState.Cancelled;

    public void MarkRunning() => Change(() => { State = JobState.Running; Started = DateTimeOffset.UtcNow; });

    public void MarkDone(object result) => Change(() => { Result = result; State = JobState.Done; Finished = DateTimeOffset.UtcNow; });

    public void MarkFailed(string error) => Change(() => { Error = error; State = JobState.Failed; Finished = DateTimeOffset.UtcNow; });

    public void MarkCancelled(string why) => Change(() => { Error = why; State = JobState.Cancelled; Finished = DateTimeOffset.UtcNow; });

    /// <summary>Completes when <see cref="Version"/> differs from <paramref name="seen"/> (at once if it already does).</summary>
    public Task WaitForChangeAsync(long seen, CancellationToken cancel)
    {
        lock (_gate)
        {
            if (Version != seen) return Task.CompletedTask;
            return _changed.Task.WaitAsync(cancel);
        }
    }

    /// <summary>The job as the API shows it.</summary>
    public object Snapshot()
    {
        lock (_gate)
        {
            return new
            {
                id = Id, kind = Kind, state = State.ToString().ToLowerInvariant(), version = Version,
                progress = new { stage = Stage, done = Done, total = Total, fraction = Total > 0 ? Math.Clamp(Done / Total, 0, 1) : (double?)null, detail = Detail },
                error = Error, created = Created, started = Started, finished = Finished,
                seconds = Started is { } s ? ((Finished ?? DateTimeOffset.UtcNow) - s).TotalSeconds : (double?)null,
                result = Result,
            };
        }
    }

    void IRunObserver.StageStarted(string stage, double total) => Change(() => { Stage = stage; Total = total; Done = 0; Detail = null; });

    void IRunObserver.StageProgress(string stage, double done, string? detail) => Change(() => { Stage = stage; Done = done; Detail = detail ?? Detail; });

    void IRunObserver.StageFinished(string stage, string summary) => Change(() => { Stage = stage; Done = Total; Detail = summary; });

    private void Change(Action apply)
    {
        TaskCompletionSource wake;
        lock (_gate)
        {
            apply();
            Version++;
            wake = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        wake.TrySetResult();
    }
}

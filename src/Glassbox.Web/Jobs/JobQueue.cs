using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Glassbox.Web.Jobs;

/// <summary>
/// A bounded queue of background jobs run by a fixed number of workers. A job is admitted only while fewer than
/// the capacity are waiting or running (the caller answers 429 otherwise); each runs under its own cancellation,
/// cancelled by the client or after the per-job timeout. Finished jobs are kept (with their folders) up to a limit.
/// </summary>
internal sealed class JobQueue : IAsyncDisposable
{
    private readonly Channel<(ExplorerJob Job, Func<ExplorerJob, CancellationToken, object> Work)> _channel =
        Channel.CreateUnbounded<(ExplorerJob, Func<ExplorerJob, CancellationToken, object>)>();
    private readonly ConcurrentDictionary<string, ExplorerJob> _jobs = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<ExplorerJob> _finished = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task[] _workers;
    private readonly string _folder;
    private readonly int _capacity, _keep;
    private readonly TimeSpan _timeout;
    private int _inFlight;

    public JobQueue(string folder, int workers, int capacity, TimeSpan timeout, int keepFinished)
    {
        _folder = folder;
        _capacity = capacity;
        _timeout = timeout;
        _keep = keepFinished;
        Directory.CreateDirectory(folder);
        _workers = Enumerable.Range(0, workers).Select(_ => Task.Factory.StartNew(Work, TaskCreationOptions.LongRunning).Unwrap()).ToArray();
    }

    /// <summary>Jobs waiting or running.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Jobs admitted at most at once.</summary>
    public int Capacity => _capacity;

    /// <summary>Seconds a refused client should wait: the running jobs' typical time, at least one.</summary>
    public int RetryAfterSeconds
    {
        get
        {
            var recent = _finished.Where(j => j.Started is not null && j.Finished is not null).TakeLast(20)
                .Select(j => (j.Finished!.Value - j.Started!.Value).TotalSeconds).ToArray();
            return (int)Math.Clamp(Math.Ceiling(recent.Length == 0 ? 1 : recent.Average()), 1, 600);
        }
    }

    /// <summary>Admits a job of <paramref name="kind"/>, or returns null when the queue is full.</summary>
    public ExplorerJob? TryEnqueue(string kind, Func<ExplorerJob, CancellationToken, object> work)
    {
        if (Interlocked.Increment(ref _inFlight) > _capacity)
        {
            Interlocked.Decrement(ref _inFlight);
            return null;
        }
        string id = Guid.NewGuid().ToString("N")[..16];
        var job = new ExplorerJob(id, kind, Path.Combine(_folder, id), _timeout);
        _jobs[id] = job;
        if (!_channel.Writer.TryWrite((job, work)))
        {
            _jobs.TryRemove(id, out _);
            Interlocked.Decrement(ref _inFlight);
            return null;
        }
        return job;
    }

    /// <summary>The job with <paramref name="id"/>, or null.</summary>
    public ExplorerJob? Get(string id) => _jobs.TryGetValue(id, out var j) ? j : null;

    /// <summary>Asks the job to stop; a queued job ends before it starts.</summary>
    public bool Cancel(string id)
    {
        if (Get(id) is not { } job) return false;
        job.Cancellation.Cancel();
        return true;
    }

    private async Task Work()
    {
        try
        {
            await foreach (var (job, work) in _channel.Reader.ReadAllAsync(_stopping.Token))
            {
                try { Run(job, work); }
                finally
                {
                    Interlocked.Decrement(ref _inFlight);
                    Retire(job);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested) { }
    }

    private void Run(ExplorerJob job, Func<ExplorerJob, CancellationToken, object> work)
    {
        using var timeout = new CancellationTokenSource(job.Timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(job.Cancellation.Token, timeout.Token, _stopping.Token);
        if (linked.IsCancellationRequested)
        {
            job.MarkCancelled("Cancelled before it started.");
            return;
        }
        job.MarkRunning();
        try
        {
            Directory.CreateDirectory(job.Folder);
            job.MarkDone(work(job, linked.Token));
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            job.MarkCancelled(timeout.IsCancellationRequested && !job.Cancellation.IsCancellationRequested
                ? $"Stopped after the per-job timeout of {job.Timeout.TotalSeconds:0} s. Pick a cheaper method or fewer classes."
                : "Cancelled.");
        }
        catch (GlassboxException e)
        {
            job.MarkFailed(e.Message);
        }
        catch (Exception e)
        {
            job.MarkFailed($"Unexpected error ({e.GetType().Name}): {e.Message}");
        }
    }

    private void Retire(ExplorerJob job)
    {
        _finished.Enqueue(job);
        while (_finished.Count > _keep && _finished.TryDequeue(out var old))
        {
            _jobs.TryRemove(old.Id, out _);
            try { if (Directory.Exists(old.Folder)) Directory.Delete(old.Folder, recursive: true); }
            catch (IOException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        foreach (var job in _jobs.Values) job.Cancellation.Cancel();
        _stopping.Cancel();
        try { await Task.WhenAll(_workers).WaitAsync(TimeSpan.FromSeconds(30)); }
        catch (TimeoutException) { }
        _stopping.Dispose();
    }
}

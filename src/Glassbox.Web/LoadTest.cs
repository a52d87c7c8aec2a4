using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Glassbox.Web;

/// <summary>What a load test sends: <paramref name="Requests"/> explain requests at once for one model, image set and method.</summary>
/// <param name="Model">A model name under the model root.</param>
/// <param name="Dataset">A dataset name under the data root; request i explains image i.</param>
/// <param name="Method">The attribution method.</param>
/// <param name="Requests">Requests sent concurrently.</param>
/// <param name="Timeout">How long an admitted job may take to end before it counts as lost.</param>
public sealed record LoadTestOptions(string Model, string Dataset, string Method = "saliency", int Requests = 32, TimeSpan? Timeout = null);

/// <summary>What a load test measured.</summary>
/// <param name="Requests">Requests sent.</param>
/// <param name="Accepted">Answered 202 (queued).</param>
/// <param name="Refused">Answered 429.</param>
/// <param name="RefusedWithRetryAfter">429s that carried a Retry-After header.</param>
/// <param name="Completed">Admitted jobs that ended done.</param>
/// <param name="Failed">Admitted jobs that ended failed or cancelled, plus any answer other than 202/429.</param>
/// <param name="Lost">Admitted jobs that had not ended by the timeout.</param>
/// <param name="P50Seconds">Median time from POST to the job's end (admitted jobs).</param>
/// <param name="P99Seconds">99th percentile of the same.</param>
/// <param name="MaxSeconds">Slowest job.</param>
/// <param name="PeakWorkingSetBytes">Peak resident memory of this process (the server, when it runs in-process).</param>
/// <param name="Seconds">Wall time of the whole test.</param>
public sealed record LoadTestResult(int Requests, int Accepted, int Refused, int RefusedWithRetryAfter, int Completed, int Failed, int Lost,
    double P50Seconds, double P99Seconds, double MaxSeconds, long PeakWorkingSetBytes, double Seconds);

/// <summary>
/// A load test of a running explorer on loopback: sends N explain requests at once, follows every admitted job to its
/// end by polling, and counts 202s, 429s (with Retry-After), completed, failed and lost jobs, with latency percentiles.
/// </summary>
public static class LoadTest
{
    /// <summary>Runs the test against <paramref name="baseUrl"/>.</summary>
    public static async Task<LoadTestResult> RunAsync(string baseUrl, LoadTestOptions o, CancellationToken cancel = default)
    {
        if (o.Requests < 1) throw new GlassboxException($"The load test needs at least one request, not {o.Requests}.");
        var timeout = o.Timeout ?? TimeSpan.FromMinutes(5);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }) { BaseAddress = new Uri(baseUrl), Timeout = timeout };
        using var process = Process.GetCurrentProcess();
        long peak = 0;
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
                try { await Task.Delay(20, sampling.Token); } catch (OperationCanceledException) { }
            }
        }, CancellationToken.None);

        var clock = Stopwatch.StartNew();
        using var start = new SemaphoreSlim(0);
        var tasks = Enumerable.Range(0, o.Requests).Select(i => Task.Run(async () =>
        {
            await start.WaitAsync(cancel);
            var t = Stopwatch.StartNew();
            var response = await http.PostAsJsonAsync("/api/jobs", new { model = o.Model, method = o.Method, dataset = o.Dataset, index = i, metrics = Array.Empty<string>() }, cancel);
            if (response.StatusCode == HttpStatusCode.TooManyRequests) return (Status: 429, RetryAfter: response.Headers.RetryAfter is not null, End: "", Seconds: 0.0);
            if (response.StatusCode != HttpStatusCode.Accepted) return (Status: (int)response.StatusCode, RetryAfter: false, End: "failed", Seconds: 0.0);
            string id = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancel)).RootElement.GetProperty("id").GetString()!;
            while (t.Elapsed < timeout)
            {
                var job = JsonDocument.Parse(await http.GetStringAsync($"/api/jobs/{id}", cancel)).RootElement;
                string state = job.GetProperty("state").GetString()!;
                if (state is "done" or "failed" or "cancelled") return (Status: 202, RetryAfter: false, End: state, Seconds: t.Elapsed.TotalSeconds);
                await Task.Delay(25, cancel);
            }
            return (Status: 202, RetryAfter: false, End: "lost", Seconds: t.Elapsed.TotalSeconds);
        }, cancel)).ToArray();
        start.Release(o.Requests);
        var results = await Task.WhenAll(tasks);
        double seconds = clock.Elapsed.TotalSeconds;
        sampling.Cancel();
        await sampler;
        process.Refresh();
        peak = Math.Max(peak, process.PeakWorkingSet64);

        var latencies = results.Where(r => r.Status == 202 && r.End != "lost").Select(r => r.Seconds).Order().ToArray();
        double Percentile(double p) => latencies.Length == 0 ? double.NaN : latencies[Math.Clamp((int)Math.Ceiling(p * latencies.Length) - 1, 0, latencies.Length - 1)];
        return new LoadTestResult(o.Requests,
            Accepted: results.Count(r => r.Status == 202), Refused: results.Count(r => r.Status == 429),
            RefusedWithRetryAfter: results.Count(r => r.Status == 429 && r.RetryAfter),
            Completed: results.Count(r => r.End == "done"),
            Failed: results.Count(r => r.End is "failed" or "cancelled"), Lost: results.Count(r => r.End == "lost"),
            P50Seconds: Percentile(0.50), P99Seconds: Percentile(0.99), MaxSeconds: latencies.Length == 0 ? double.NaN : latencies[^1],
            PeakWorkingSetBytes: peak, Seconds: seconds);
    }
}

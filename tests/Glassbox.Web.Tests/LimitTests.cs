using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Glassbox.Web.Tests;

/// <summary>The bounded queue (429 + Retry-After), cancellation, the per-job timeout and the loopback warning, each on a server of its own.</summary>
[Collection(ExplorerCollection.Name)]
public class LimitTests(ExplorerFixture f)
{
    // Integrated gradients with this many steps runs for far longer than any test waits.
    private static object SlowJob => new
    {
        model = "mnist-cnn", method = "integrated-gradients", dataset = "digits", index = 0,
        options = new Dictionary<string, string> { ["n-steps"] = "100000", ["internal-batch-size"] = "1", ["integration-method"] = "riemann_middle" },
    };

    private async Task<(GlassboxServer Server, HttpClient Http)> Start(int capacity, TimeSpan timeout)
    {
        var server = GlassboxServer.Create(new GlassboxServerOptions(f.Models, f.Data, "http://127.0.0.1:0") { Workers = 1, QueueCapacity = capacity, JobTimeout = timeout });
        var url = (await server.StartAsync()).First();
        return (server, new HttpClient { BaseAddress = new Uri(url) });
    }

    private static async Task<string> Post(HttpClient http, object request)
    {
        var r = await http.PostAsJsonAsync("/api/jobs", request);
        Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        return JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task FullQueue_Answers429WithRetryAfter_AndCancelFreesIt()
    {
        var (server, http) = await Start(capacity: 2, TimeSpan.FromMinutes(5));
        await using var _ = server;
        using var __ = http;
        string running = await Post(http, SlowJob);
        string waiting = await Post(http, SlowJob);
        var refused = await http.PostAsJsonAsync("/api/jobs", SlowJob);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "Retry-After is missing");
        Assert.Contains("queue is full", await refused.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.Accepted, (await http.DeleteAsync($"/api/jobs/{waiting}")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await http.DeleteAsync($"/api/jobs/{running}")).StatusCode);
        var first = await ExplorerFixture.WaitForJob(http, running, TimeSpan.FromSeconds(60));
        var second = await ExplorerFixture.WaitForJob(http, waiting, TimeSpan.FromSeconds(60));
        Assert.Equal("cancelled", first.GetProperty("state").GetString());
        Assert.Equal("cancelled", second.GetProperty("state").GetString());
        var health = JsonDocument.Parse(await http.GetStringAsync("/api/health")).RootElement;
        Assert.Equal(0, health.GetProperty("inFlight").GetInt32());
        var job = await ExplorerFixture.RunJob(http, new { model = "small_cnn.json", method = "saliency", dataset = "tiny", index = 0 });
        Assert.Equal("done", job.GetProperty("state").GetString());
    }

    [Fact]
    public async Task JobPastTheTimeout_IsCancelledWithAClearReason()
    {
        var (server, http) = await Start(capacity: 2, TimeSpan.FromSeconds(2));
        await using var _ = server;
        using var __ = http;
        var job = await ExplorerFixture.WaitForJob(http, await Post(http, SlowJob), TimeSpan.FromSeconds(60));
        Assert.Equal("cancelled", job.GetProperty("state").GetString());
        Assert.Contains("timeout of 2 s", job.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", 0)]
    [InlineData("http://localhost:5080;http://[::1]:5080", 0)]
    [InlineData("http://0.0.0.0:5080", 1)]
    [InlineData("http://*:5080;http://127.0.0.1:1", 1)]
    [InlineData("http://192.168.1.10:80;http://+:81", 2)]
    public async Task AddressesBeyondLoopback_AreWarnedAbout(string urls, int warnings)
    {
        Assert.Equal(warnings, GlassboxServer.NonLoopback(urls).Count);
        var lines = new List<string>();
        var options = new GlassboxServerOptions(f.Models, f.Data, urls);
        var server = GlassboxServer.Create(options, lines.Add);
        await server.DisposeAsync();
        Assert.Equal(warnings, lines.Count(l => l.StartsWith("WARNING", StringComparison.Ordinal)));
    }

    [Fact]
    public void MissingRoot_IsOneClearError()
    {
        var e = Assert.Throws<GlassboxException>(() => GlassboxServer.Create(new GlassboxServerOptions(Path.Combine(f.Root, "nope"), f.Data)));
        Assert.Contains("--models", e.Message);
    }
}

/// <summary>The loopback load test: nothing lost below the queue bound, clean 429s above it.</summary>
[Collection(ExplorerCollection.Name)]
public class LoadTests(ExplorerFixture f)
{
    [Fact]
    public async Task BelowTheBound_NothingFailsOrIsLost_AboveIt_TheExcessGets429()
    {
        await using var server = GlassboxServer.Create(new GlassboxServerOptions(f.Models, f.Data, "http://127.0.0.1:0") { Workers = 1, QueueCapacity = 4 });
        string url = (await server.StartAsync()).First();

        var below = await LoadTest.RunAsync(url, new LoadTestOptions("mnist-cnn", "digits", "deep-shap", Requests: 4));
        Assert.Equal((4, 0, 4, 0, 0), (below.Accepted, below.Refused, below.Completed, below.Failed, below.Lost));
        Assert.True(below.P99Seconds >= below.P50Seconds && below.P50Seconds > 0);

        var above = await LoadTest.RunAsync(url, new LoadTestOptions("mnist-cnn", "digits", "deep-shap", Requests: 12));
        Assert.Equal(12, above.Accepted + above.Refused);
        Assert.InRange(above.Accepted, 4, 11);
        Assert.Equal(above.Refused, above.RefusedWithRetryAfter);
        Assert.Equal((above.Accepted, 0, 0), (above.Completed, above.Failed, above.Lost));
    }
}

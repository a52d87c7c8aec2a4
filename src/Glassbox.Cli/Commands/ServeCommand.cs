using System.ComponentModel;
using Glassbox.Web;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Glassbox.Cli.Commands;

internal sealed class ServeCommand : AsyncCommand<ServeCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--urls <URLS>"), Description("Addresses to listen on, ';'-separated. Default: " + GlassboxServerOptions.DefaultUrls + " (loopback only; anything else prints a warning)")]
        public string Urls { get; init; } = GlassboxServerOptions.DefaultUrls;

        [CommandOption("--models <DIR>"), Description("Folder of checkpoints, Sequential specs, TorchScript and ONNX files offered in the explorer. Default: glassbox-out when it exists (the demo's models), else the current folder")]
        public string? Models { get; init; }

        [CommandOption("--data <DIR>"), Description("Folder of dataset folders (MNIST format, or one subfolder of images per class). Default: the repository's data/ folder")]
        public string? Data { get; init; }

        [CommandOption("--workers <N>"), Description("Jobs run at once. Default: 1")]
        public int Workers { get; init; } = 1;

        [CommandOption("--queue <N>"), Description("Jobs waiting or running at once; more are refused with 429 + Retry-After. Default: 16")]
        public int Queue { get; init; } = 16;

        [CommandOption("--job-timeout <SECONDS>"), Description("A job running longer is cancelled. Default: 300")]
        public double JobTimeout { get; init; } = 300;

        [CommandOption("--max-upload-kb <KB>"), Description("Largest uploaded image. Default: 8192")]
        public long MaxUploadKb { get; init; } = 8192;

        [CommandOption("--load-test <N>"), Description("Instead of serving: start on a free loopback port, send N explain requests at once, print p50/p99 latency, peak memory, 429s and failures, and exit")]
        public int? LoadTest { get; init; }

        [CommandOption("--load-model <NAME>"), Description("Model of the load test (a name under --models). Default: the first listed")]
        public string? LoadModel { get; init; }

        [CommandOption("--load-dataset <NAME>"), Description("Dataset of the load test (request i explains image i). Default: the first listed")]
        public string? LoadDataset { get; init; }

        [CommandOption("--load-method <NAME>"), Description("Method of the load test. Default: saliency")]
        public string LoadMethod { get; init; } = "saliency";
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        string models = s.Models ?? (Directory.Exists("glassbox-out") ? "glassbox-out" : ".");
        string data = s.Data ?? Path.GetDirectoryName(Paths.ShippedSample())!;
        var options = new GlassboxServerOptions(models, data, s.LoadTest is null ? s.Urls : "http://127.0.0.1:0")
        {
            Workers = s.Workers, QueueCapacity = s.Queue, JobTimeout = TimeSpan.FromSeconds(s.JobTimeout), MaxUploadBytes = s.MaxUploadKb * 1024,
        };
        await using var server = GlassboxServer.Create(options, line => AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(line)}[/]"));
        var addresses = await server.StartAsync(cancellationToken);
        if (s.LoadTest is int n) return await RunLoadTest(addresses[0], n, s, cancellationToken);
        AnsiConsole.MarkupLine($"Glassbox explorer on [bold]{Markup.Escape(string.Join(", ", addresses))}[/] " +
            $"(models: {Markup.Escape(Path.GetFullPath(models))}; data: {Markup.Escape(Path.GetFullPath(data))}). API: /api, OpenAPI: {GlassboxServer.OpenApiPath}. Ctrl+C stops it.");
        await server.WaitForShutdownAsync(cancellationToken);
        return 0;
    }

    private static async Task<int> RunLoadTest(string url, int n, Settings s, CancellationToken cancel)
    {
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        async Task<string> First(string path, string what) => System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(path, cancel)).RootElement.EnumerateArray()
            .Where(e => e.GetProperty("kind").GetString() != "generator").Select(e => e.GetProperty("name").GetString()).FirstOrDefault()
            ?? throw new GlassboxException($"The load test needs a {what}; none was found under the root.");
        string model = s.LoadModel ?? await First("/api/models", "model"), dataset = s.LoadDataset ?? await First("/api/datasets", "dataset");
        AnsiConsole.MarkupLine($"Load test: {n} concurrent explain requests ({Markup.Escape(s.LoadMethod)} on {Markup.Escape(model)}, images of {Markup.Escape(dataset)}), " +
            $"{s.Workers} worker(s), queue {s.Queue}, against {Markup.Escape(url)}");
        var r = await LoadTest.RunAsync(url, new LoadTestOptions(model, dataset, s.LoadMethod, n, TimeSpan.FromSeconds(s.JobTimeout * 2)), cancel);
        var table = new Table().AddColumns("requests", "202", "429", "429 with Retry-After", "completed", "failed", "lost", "p50 s", "p99 s", "max s", "peak MB", "wall s");
        table.AddRow($"{r.Requests}", $"{r.Accepted}", $"{r.Refused}", $"{r.RefusedWithRetryAfter}", $"{r.Completed}", $"{r.Failed}", $"{r.Lost}",
            $"{r.P50Seconds:F3}", $"{r.P99Seconds:F3}", $"{r.MaxSeconds:F3}", $"{r.PeakWorkingSetBytes / (1024.0 * 1024):F0}", $"{r.Seconds:F1}");
        AnsiConsole.Write(table);
        bool clean = r.Failed == 0 && r.Lost == 0 && r.Refused == r.RefusedWithRetryAfter && r.Completed == r.Accepted;
        return clean ? 0 : 1;
    }
}

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
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        string models = s.Models ?? (Directory.Exists("glassbox-out") ? "glassbox-out" : ".");
        string data = s.Data ?? Path.GetDirectoryName(Paths.ShippedSample())!;
        var options = new GlassboxServerOptions(models, data, s.Urls)
        {
            Workers = s.Workers, QueueCapacity = s.Queue, JobTimeout = TimeSpan.FromSeconds(s.JobTimeout), MaxUploadBytes = s.MaxUploadKb * 1024,
        };
        await using var server = GlassboxServer.Create(options, line => AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(line)}[/]"));
        var addresses = await server.StartAsync(cancellationToken);
        AnsiConsole.MarkupLine($"Glassbox explorer on [bold]{Markup.Escape(string.Join(", ", addresses))}[/] " +
            $"(models: {Markup.Escape(Path.GetFullPath(models))}; data: {Markup.Escape(Path.GetFullPath(data))}). API: /api, OpenAPI: {GlassboxServer.OpenApiPath}. Ctrl+C stops it.");
        await server.WaitForShutdownAsync(cancellationToken);
        return 0;
    }
}

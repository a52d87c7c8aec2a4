using System.ComponentModel;
using Glassbox.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Glassbox.Cli.Commands;

internal sealed class DownloadCommand : AsyncCommand<DownloadCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<DATASET>"), Description("mnist or fashion-mnist")]
        public string Dataset { get; init; } = "";

        [CommandOption("--cache <FOLDER>"), Description("Cache folder. Default: .glassbox-cache")]
        public string Cache { get; init; } = ".glassbox-cache";
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var source = s.Dataset.ToLowerInvariant() switch
        {
            "mnist" => DatasetSource.Mnist,
            "fashion-mnist" or "fashion" => DatasetSource.FashionMnist,
            _ => throw new GlassboxException($"Unknown dataset '{s.Dataset}'. Use mnist or fashion-mnist."),
        };
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        var downloader = new DatasetDownloader(http, s.Cache);
        string folder = await downloader.DownloadAsync(source, null, cancellationToken);
        AnsiConsole.MarkupLine($"{Markup.Escape(source.Name)} is in [bold]{Markup.Escape(folder)}[/] (checksums verified). Use it with --data {Markup.Escape(folder)}");
        return 0;
    }
}

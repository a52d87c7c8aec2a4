using System.ComponentModel;
using Glassbox.App;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Glassbox.Cli.Commands;

internal sealed class MergeCommand : Command<MergeCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<SHARD_FOLDERS>"), Description("The output folders of 'glassbox explain --shard k/n', one per shard, in any order")]
        public string[] Shards { get; init; } = [];

        [CommandOption("-o|--out <FOLDER>"), Description("Output folder for the merged explanation. Default: glassbox-explain")]
        public string Out { get; init; } = "glassbox-explain";
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var result = MergeJob.Run(new MergeRequest(s.Shards, s.Out));
        AnsiConsole.MarkupLine($"Merged {result.Shards} shards: {result.Inputs} inputs, as one process writes them.");
        foreach (var warning in result.Warnings)
            AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(warning)}[/]");
        foreach (var (k, v) in result.Files.OrderBy(p => p.Key, StringComparer.Ordinal))
            AnsiConsole.MarkupLine($"  {Markup.Escape(k)}: {Markup.Escape(Path.Combine(s.Out, v))}");
        return 0;
    }
}

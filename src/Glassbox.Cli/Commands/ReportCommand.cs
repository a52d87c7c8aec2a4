using System.ComponentModel;
using Glassbox.App;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Glassbox.Cli.Commands;

internal sealed class ReportCommand : Command<ReportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[RUN_FOLDER]"), Description("A folder written by 'glassbox demo'. Default: glassbox-out")]
        public string Folder { get; init; } = "glassbox-out";
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        string path = ReportBuilder.Rebuild(s.Folder);
        AnsiConsole.MarkupLine($"Report written to [bold]{Markup.Escape(path)}[/]");
        return 0;
    }
}

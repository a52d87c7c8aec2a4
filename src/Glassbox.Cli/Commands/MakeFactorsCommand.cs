using System.ComponentModel;
using Glassbox.Data.Synthetic;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Glassbox.Cli.Commands;

internal sealed class MakeFactorsCommand : Command<MakeFactorsCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-o|--out <FOLDER>"), Description("Output folder (MNIST format + factors.npy). Default: factors")]
        public string Out { get; init; } = "factors";

        [CommandOption("--seed <N>"), Description("Seeds the image order. Default: 0")]
        public int Seed { get; init; }

        [CommandOption("-n|--count <N>"), Description("Images in the train split. Default: the whole grid (7680)")]
        public int? Count { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        Glassbox.App.OutputLayout.CheckFolderName(s.Out);
        var set = FactorSprites.Create(new FactorSpritesOptions(s.Seed, s.Count));
        FactorSprites.Write(set, s.Out);
        AnsiConsole.MarkupLine($"{set.Count} sprites with known factors ({string.Join(", ", FactorSprites.FactorNames)}) written to [bold]{Markup.Escape(Path.GetFullPath(s.Out))}[/]. "
            + $"Train a VAE on them with --data {Markup.Escape(s.Out)}.");
        return 0;
    }
}

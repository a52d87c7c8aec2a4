using System.ComponentModel;
using Glassbox.App.Generation;
using Glassbox.Engine;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Glassbox.Cli.Commands;

internal sealed class GenerateCommand : Command<GenerateCommand.Settings>
{
    public sealed class Settings : CommonSettings
    {
        [CommandOption("-m|--model <FOLDER>"), Description("Generator checkpoint folder (from train-generator)")]
        public string? Model { get; init; }

        [CommandOption("-n <N>"), Description("Images to draw. Default: 64")]
        public int Count { get; init; } = 64;

        [CommandOption("--class <C>"), Description("Class index to draw (conditional models). Default: every class in turn")]
        public int? Class { get; init; }

        [CommandOption("--input <NPY>"), Description("VAE only: images (N×C×H×W in [0, 1]) to reconstruct")]
        public string? Input { get; init; }

        [CommandOption("-o|--out <FOLDER>"), Description("Output folder. Default: generated")]
        public string Out { get; init; } = "generated";
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(s.Model)) throw new CliUsageException("generate needs -m <checkpoint folder>.");
        Glassbox.App.RunLimits.CheckThreads(s.Threads);
        var options = new GenerateOptions(s.Model, s.Out, s.Count, s.Class, s.Seed, s.Input, s.Device);
        options.Validate();
        TorchContext.Create(s.Device, s.Threads, s.Seed);
        var result = GenerateJob.Run(options);
        AnsiConsole.MarkupLine($"{result.Count} images from the {Markup.Escape(result.Kind)} written to [bold]{Markup.Escape(Path.GetFullPath(s.Out))}[/]: "
            + Markup.Escape(string.Join(", ", result.Files.Select(Path.GetFileName))));
        return 0;
    }
}

using System.ComponentModel;
using Glassbox.App.Generation;
using Glassbox.Data;
using Glassbox.Engine;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Glassbox.Cli.Commands;

internal sealed class TrainGeneratorCommand : Command<TrainGeneratorCommand.Settings>
{
    public sealed class Settings : CommonSettings
    {
        [CommandOption("--kind <KIND>"), Description("vae, beta-vae, cvae, dcgan or cdcgan (c = conditioned on the class)")]
        public string Kind { get; init; } = "vae";

        [CommandOption("--data <FOLDER>"), Description("MNIST-format folder (train split). Default: the shipped sample")]
        public string? Data { get; init; }

        [CommandOption("-o|--out <FOLDER>"), Description("Checkpoint and figures folder. Default: generator")]
        public string Out { get; init; } = "generator";

        [CommandOption("--epochs <N>"), Description("Default: 10")]
        public int Epochs { get; init; } = 10;

        [CommandOption("--batch-size <N>"), Description("Default: 128")]
        public int BatchSize { get; init; } = 128;

        [CommandOption("--latent <N>"), Description("Latent size. Default: 16 (VAE), 64 (DCGAN)")]
        public int? Latent { get; init; }

        [CommandOption("--beta <B>"), Description("VAE KL weight. Default: 1 (vae, cvae), 4 (beta-vae)")]
        public double? Beta { get; init; }

        [CommandOption("--lr <RATE>"), Description("Adam learning rate. Default: 1e-3 (VAE kinds), 2e-4 (DCGAN kinds)")]
        public double? LearningRate { get; init; }

        [CommandOption("--beta1 <B1>"), Description("Adam β1. Default: 0.9 (VAE kinds), 0.5 (DCGAN kinds, Radford et al.)")]
        public double? Beta1 { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        Glassbox.App.RunLimits.CheckThreads(s.Threads);
        var options = new TrainGeneratorOptions(s.Kind, s.Out, s.Epochs, s.BatchSize, s.Latent, s.Beta, s.Seed, s.LearningRate, s.Beta1, s.Device);
        options.Validate();
        TorchContext.Create(s.Device, s.Threads, s.Seed);
        var train = MnistFormat.LoadFolder(s.Data ?? Paths.ShippedSample(), "train");
        var result = ConsoleObserver.Run(obs => TrainGeneratorJob.Run(options, train, obs, cancellationToken));
        var table = new Table().AddColumn("Epoch");
        var names = result.History.Epochs[0].Losses.Keys.ToList();
        foreach (var n in names) table.AddColumn(n);
        table.AddColumn("Seconds");
        foreach (var e in result.History.Epochs)
            table.AddRow([$"{e.Epoch}", .. names.Select(n => $"{e.Losses[n]:F4}"), $"{e.Seconds:F1}"]);
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"Generator written to [bold]{Markup.Escape(Path.GetFullPath(s.Out))}[/]: "
            + Markup.Escape(string.Join(", ", result.Files.Select(Path.GetFileName))));
        return 0;
    }
}

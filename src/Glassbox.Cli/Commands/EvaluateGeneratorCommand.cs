using System.ComponentModel;
using System.Globalization;
using Glassbox.App.Generation;
using Glassbox.Engine;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Glassbox.Cli.Commands;

internal sealed class EvaluateGeneratorCommand : Command<EvaluateGeneratorCommand.Settings>
{
    public sealed class Settings : CommonSettings
    {
        [CommandOption("-m|--model <GENERATOR>"), Description("Generator checkpoint folder (VAE or DCGAN)")]
        public string? Model { get; init; }

        [CommandOption("--classifier <CHECKPOINT>"), Description("Classifier checkpoint from `glassbox train` whose penultimate layer gives the features (required)")]
        public string? Classifier { get; init; }

        [CommandOption("--data <FOLDER>"), Description("MNIST-format folder of the real images. Default: the shipped sample")]
        public string? Data { get; init; }

        [CommandOption("-n <N>"), Description("Generated and real images (each). Default: 2000")]
        public int Count { get; init; } = 2000;

        [CommandOption("--batch-size <N>"), Description("Images per forward pass. Default: 256")]
        public int BatchSize { get; init; } = 256;

        [CommandOption("-o|--out <FOLDER>"), Description("Output folder. Default: generator-evaluation")]
        public string Out { get; init; } = "generator-evaluation";
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(s.Model)) throw new GlassboxException("Pass the generator checkpoint with -m <folder>.");
        if (string.IsNullOrWhiteSpace(s.Classifier))
            throw new GlassboxException("evaluate-generator needs a classifier for its features: pass --classifier <checkpoint>. Train one on the same data with `glassbox train` (nothing is downloaded).");
        Glassbox.App.OutputLayout.CheckFolderName(s.Out);
        Glassbox.App.RunLimits.CheckThreads(s.Threads);
        TorchContext.Create(s.Device, s.Threads, s.Seed);
        var result = EvaluateGeneratorJob.Run(new EvaluateGeneratorRequest(s.Model, s.Classifier, s.Data ?? Paths.ShippedSample(), s.Out, s.Count, s.Seed, s.BatchSize, s.Device));
        var table = new Table().AddColumns("Metric", "Generated", "Real-vs-real floor");
        foreach (var row in result.Rows)
            table.AddRow($"{row.Metric} ({(row.HigherIsBetter ? "higher" : "lower")} is better)", Format(row.Generated, row.GeneratedStd), Format(row.Floor, row.FloorStd));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"{result.Count} generated and real images, {result.FeatureDimensions} features, {result.Seconds:F1} s. "
            + $"Written to [bold]{Markup.Escape(Path.GetFullPath(s.Out))}[/] ({EvaluateGeneratorJob.JsonFile} + features .npy)");
        return 0;
    }

    private static string Format(double value, double? std) =>
        std is { } sd ? string.Create(CultureInfo.InvariantCulture, $"{value:G5} ± {sd:G3}") : value.ToString("G5", CultureInfo.InvariantCulture);
}

using System.ComponentModel;
using Glassbox.App;
using Spectre.Console;
using Spectre.Console.Cli;
using Glassbox.Visualization;

namespace Glassbox.Cli.Commands;

internal sealed class DemoCommand : Command<DemoCommand.Settings>
{
    public sealed class Settings : CommonSettings
    {
        [CommandOption("--data <FOLDER>"), Description("MNIST-format folder (train-*/t10k-* IDX files). Default: the shipped sample.")]
        public string? Data { get; init; }

        [CommandOption("-o|--out <FOLDER>"), Description("Output folder. Default: glassbox-out")]
        public string Out { get; init; } = "glassbox-out";

        [CommandOption("--arch <NAME>"), Description("reference-cnn (default), pooled-cnn or resnet-small (ResNet-8 with batch norm)")]
        public string Arch { get; init; } = Glassbox.Models.Architecture.ReferenceCnn;

        [CommandOption("--epochs <N>"), Description("Training epochs per model. Default: 2")]
        public int Epochs { get; init; } = 2;

        [CommandOption("--batch-size <N>"), Description("Training batch size. Default: 64")]
        public int BatchSize { get; init; } = 64;

        [CommandOption("--background-size <N>"), Description("DeepSHAP background images. Default: 100")]
        public int BackgroundSize { get; init; } = 100;

        [CommandOption("--plot-images <N>"), Description("Test images in the SHAP image plot. Default: 5")]
        public int PlotImages { get; init; } = 5;

        [CommandOption("--reliability-images <N>"), Description("Validation images explained by both models (0 = all). Default: 200")]
        public int ReliabilityImages { get; init; } = 200;

        [CommandOption("--method <NAME>"), Description("Attribution method (see 'glassbox methods'). Default: deep-shap")]
        public string Method { get; init; } = "deep-shap";
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var options = new DemoOptions(
            DataFolder: s.Data ?? Paths.ShippedSample(),
            OutputFolder: s.Out, Architecture: s.Arch, Epochs: s.Epochs, BatchSize: s.BatchSize,
            BackgroundSize: s.BackgroundSize, PlotImages: s.PlotImages, ReliabilityImages: s.ReliabilityImages,
            Seed: s.Seed, Device: s.Device, Threads: s.Threads, Method: s.Method);
        var metrics = ConsoleObserver.Run(obs => new DemoPipeline(options, obs).Run(cancellationToken));
        var table = new Table().AddColumns("What", "Value");
        foreach (var m in metrics.Models)
            table.AddRow(Markup.Escape($"Model {m.Name} ({m.TrainedOn})"), Markup.Escape($"test accuracy {m.TestAccuracy:P2}, validation accuracy {m.ValidationAccuracy:P2}"));
        var r = metrics.Reliability;
        if (metrics.DeepShap.Additivity is { } plotAdditivity)
            table.AddRow(Markup.Escape($"{s.Method} additivity (plot)"), Markup.Escape($"max |f(x) − E[f] − Σφ| = {NumberFormat.Scientific(plotAdditivity.Max)} ({(plotAdditivity.Holds ? "holds" : "FAILS")})"));
        table.AddRow("Agreement A vs B", $"Spearman {r.SpearmanMean:F3}, top-10 % overlap {r.TopTenPercentOverlapMean:F3} (chance {r.RandomOverlapExpected:F2})");
        table.AddRow("Deletion AUC, model A", $"{r.DeletionModelA.AttributionAuc:F3} by attribution vs {r.DeletionModelA.RandomAuc:F3} random");
        table.AddRow("Total time", $"{metrics.TotalSeconds:F0} s");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"Report: [link]{Markup.Escape(Path.Combine(Path.GetFullPath(s.Out), "report.html"))}[/]");
        bool holds = metrics.DeepShap.Additivity?.Holds != false && r.AdditivityModelA?.Holds != false && r.AdditivityModelB?.Holds != false;
        return holds ? 0 : 3;
    }
}

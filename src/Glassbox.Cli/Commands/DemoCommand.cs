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

        [CommandOption("--generator"), Description("Also train a VAE and a DCGAN on the data, evaluate them in model A's features (with the real-vs-real floor) and explain them; written under generator/ and into the report")]
        public bool Generator { get; init; }

        [CommandOption("--vae-epochs <N>"), Description("With --generator: VAE training epochs. Default: 15")]
        public int? VaeEpochs { get; init; }

        [CommandOption("--dcgan-epochs <N>"), Description("With --generator: DCGAN training epochs. Default: 12")]
        public int? DcganEpochs { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var options = new DemoOptions(
            DataFolder: s.Data ?? Paths.ShippedSample(),
            OutputFolder: s.Out, Architecture: s.Arch, Epochs: s.Epochs, BatchSize: s.BatchSize,
            BackgroundSize: s.BackgroundSize, PlotImages: s.PlotImages, ReliabilityImages: s.ReliabilityImages,
            Seed: s.Seed, Device: s.Device, Threads: s.Threads, Method: s.Method, Generator: GeneratorOptions(s));
        var metrics = ConsoleObserver.Run(obs => new DemoPipeline(options, obs).Run(cancellationToken));
        var table = new Table().AddColumns("What", "Value");
        foreach (var m in metrics.Models)
            table.AddRow(Markup.Escape($"Model {m.Name} ({m.TrainedOn})"), Markup.Escape($"test accuracy {m.TestAccuracy:P2}, validation accuracy {m.ValidationAccuracy:P2}"));
        var r = metrics.Reliability;
        if (metrics.DeepShap.Additivity is { } plotAdditivity)
            table.AddRow(Markup.Escape($"{s.Method} additivity (plot)"), Markup.Escape($"max |f(x) − E[f] − Σφ| = {NumberFormat.Scientific(plotAdditivity.Max)} ({(plotAdditivity.Holds ? "holds" : "FAILS")})"));
        table.AddRow("Agreement A vs B", $"Spearman {r.SpearmanMean:F3}, top-10 % overlap {r.TopTenPercentOverlapMean:F3} (chance {r.RandomOverlapExpected:F2})");
        table.AddRow("Deletion AUC, model A", $"{r.DeletionModelA.AttributionAuc:F3} by attribution vs {r.DeletionModelA.RandomAuc:F3} random");
        if (metrics.Generator is { } g)
        {
            foreach (var m in g.Models)
            {
                var fd = m.Metrics.First(r => r.Metric == "fd");
                var precision = m.Metrics.First(r => r.Metric == "precision");
                var recall = m.Metrics.First(r => r.Metric == "recall");
                table.AddRow(Markup.Escape($"{m.Name} ({m.Epochs} epochs, {m.TrainSeconds:F0} s)"),
                    Markup.Escape($"FD {fd.Generated:G3} (floor {fd.Floor:G3}), precision {precision.Generated:F3} (floor {precision.Floor:F3}), recall {recall.Generated:F3} (floor {recall.Floor:F3})"));
            }
            foreach (var e in g.Explanations)
                table.AddRow(Markup.Escape($"explain-generator {e.What} ({e.Generator})"), Markup.Escape(e.Error is null ? $"{e.Figures.Count} figure(s), {e.Seconds:F1} s" : "refused: " + e.Error));
            table.AddRow("Generator part", $"{g.Seconds:F0} s");
        }
        table.AddRow("Total time", $"{metrics.TotalSeconds:F0} s");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"Report: [link]{Markup.Escape(Path.Combine(Path.GetFullPath(s.Out), "report.html"))}[/]");
        return Verdict(metrics);
    }

    private static DemoGeneratorOptions? GeneratorOptions(Settings s)
    {
        if (!s.Generator)
        {
            if (s.VaeEpochs is not null || s.DcganEpochs is not null)
                throw new CliUsageException("--vae-epochs and --dcgan-epochs apply to the generator part; add --generator.");
            return null;
        }
        var d = new DemoGeneratorOptions();
        return d with { VaeEpochs = s.VaeEpochs ?? d.VaeEpochs, DcganEpochs = s.DcganEpochs ?? d.DcganEpochs };
    }

    private static int Verdict(RunMetrics metrics)
    {
        var r = metrics.Reliability;
        bool holds = metrics.DeepShap.Additivity?.Holds != false && r.AdditivityModelA?.Holds != false && r.AdditivityModelB?.Holds != false;
        return holds ? 0 : 3;
    }
}

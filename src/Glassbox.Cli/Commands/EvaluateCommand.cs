using System.ComponentModel;
using System.Globalization;
using Glassbox.App;
using Glassbox.Attribution;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Glassbox.Cli.Commands;

internal sealed class EvaluateCommand : Command<EvaluateCommand.Settings>
{
    public sealed class Settings : CommonSettings
    {
        [CommandOption("-m|--model <MODEL>"), Description("A checkpoint folder, a Sequential spec .json, a TorchScript .pt or an .onnx file")]
        public string Model { get; init; } = "";

        [CommandOption("--methods <NAMES>"), Description("Attribution methods to compare, comma-separated (see 'glassbox methods'), each at its defaults")]
        public string? Methods { get; init; }

        [CommandOption("--metrics <METRICS>"), Description("all, fast (all but the slow ones), a category (faithfulness, robustness, localisation, complexity, randomisation, axiomatic, agreement) or metric names, comma-separated. Default: fast")]
        public string Metrics { get; init; } = "fast";

        [CommandOption("--data <FOLDER>"), Description("MNIST-format folder: its first -n test images are explained; an evidence-masks.npy in it enables the localisation metrics. Default: the shipped sample")]
        public string? Data { get; init; }

        [CommandOption("-n|--images <N>"), Description("Test images scored (the first N). Default: 100")]
        public int Images { get; init; } = EvaluateRequest.DefaultImages;

        [CommandOption("--bootstrap <B>"), Description("Bootstrap resamples of each mean's 95 % interval (0 = none). Default: 1000")]
        public int Bootstrap { get; init; } = EvaluateRequest.DefaultBootstrap;

        [CommandOption("--metric-option <METRIC.FLAG=VALUE>"), Description("A metric option, e.g. deletion.steps=50; repeat for more")]
        public string[] MetricOptions { get; init; } = [];

        [CommandOption("--attributions <FILE>"), Description("Also score maps made elsewhere (Captum, SHAP): a .npy of N×K×C×H×W or N×C×H×W for the first N test images, named 'external'")]
        public string? Attributions { get; init; }

        [CommandOption("--compare-models <MODELS>"), Description("Other models of the same task (trained on other splits or seeds), comma-separated: each method explains the same images with every model and the maps' agreement across models is reported")]
        public string? CompareModels { get; init; }

        [CommandOption("--targets <TARGETS>"), Description("Class explained per image: predicted (default), label, a class, a list of N indices, or a .npy of N (or N×K) indices")]
        public string? Targets { get; init; }

        [CommandOption("--output <SPACE>"), Description("logits (default) or probabilities")]
        public string Output { get; init; } = "logits";

        [CommandOption("-o|--out <FOLDER>"), Description("Output folder (a rerun with the same settings resumes). Default: glassbox-evaluate")]
        public string Out { get; init; } = "glassbox-evaluate";
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(s.Model)) throw new GlassboxException("Pass the model with -m/--model <checkpoint folder or model file>.");
        var output = s.Output.ToLowerInvariant() switch
        {
            "logits" or "logit" => OutputSpace.Logits,
            "probabilities" or "probability" or "probs" => OutputSpace.Probabilities,
            _ => throw new GlassboxException($"--output must be logits or probabilities, not '{s.Output}'."),
        };
        var methods = (s.Methods ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var request = new EvaluateRequest(s.Model, s.Data ?? Paths.ShippedSample(), s.Out, methods, s.Metrics, s.Images, s.Bootstrap, s.Seed,
            s.MetricOptions, s.Attributions, s.Targets, output, s.Device, s.Threads,
            (s.CompareModels ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var report = ConsoleObserver.Run(obs => EvaluateJob.Run(request, obs, cancellationToken));
        Render(report);
        AnsiConsole.MarkupLine($"Report: {Markup.Escape(Path.Combine(s.Out, report.Files["html"]))}; scores: {Markup.Escape(Path.Combine(s.Out, report.Files["json"]))}, {Markup.Escape(Path.Combine(s.Out, report.Files["csv"]))}.");
        return 0;
    }

    /// <summary>One ranked table per metric (mean, 95 % CI, rank), then the agreement pairs and the skipped pairs.</summary>
    internal static void Render(EvaluationReport report)
    {
        static string F(double v) => double.IsFinite(v) ? v.ToString("0.####", CultureInfo.InvariantCulture) : "–";
        foreach (var group in report.Rows.Where(r => r.Skipped is null).GroupBy(r => r.Metric))
        {
            var first = group.First();
            var table = new Table().Title($"{Markup.Escape(group.Key)} [grey]({Markup.Escape(first.Category)}, {(first.HigherIsBetter ? "higher" : "lower")} is better)[/]")
                .AddColumns("rank", "method", "mean", "95 % CI", "n", "s");
            foreach (var r in group.OrderBy(r => r.Rank ?? int.MaxValue))
                table.AddRow(r.Rank?.ToString(CultureInfo.InvariantCulture) ?? "–", Markup.Escape(r.Method), F(r.Mean),
                    double.IsFinite(r.CiLow) ? $"[[{F(r.CiLow)}, {F(r.CiHigh)}]]" : "–", r.Count.ToString(CultureInfo.InvariantCulture), r.Seconds.ToString("0.0", CultureInfo.InvariantCulture));
            if (report.Chance.TryGetValue(group.Key, out double chance))
                table.AddRow("[grey]–[/]", "[grey]random maps (chance)[/]", $"[grey]{F(chance)}[/]", "", "", "");
            AnsiConsole.Write(table);
        }
        foreach (var group in report.Agreement.Where(r => r.Skipped is null).GroupBy(r => r.Metric))
        {
            var table = new Table().Title($"{Markup.Escape(group.Key)} [grey](agreement between methods)[/]").AddColumns("pair", "mean", "95 % CI", "n");
            foreach (var r in group)
                table.AddRow(Markup.Escape(r.Method), F(r.Mean), double.IsFinite(r.CiLow) ? $"[[{F(r.CiLow)}, {F(r.CiHigh)}]]" : "–", r.Count.ToString(CultureInfo.InvariantCulture));
            AnsiConsole.Write(table);
        }
        if (report.AcrossModels.Any(a => a.Result is not null))
        {
            var table = new Table().Title($"agreement across models [grey]({report.AcrossModels[0].Models.Count} models; mean ± std, min over model pairs)[/]")
                .AddColumns("method", "Spearman", "min", "top-10 % overlap", "min");
            foreach (var a in report.AcrossModels.Where(a => a.Result is not null))
                table.AddRow(Markup.Escape(a.Method), $"{F(a.Result!.Spearman.Mean)} ± {F(a.Result.Spearman.Std)}", F(a.Result.Spearman.Min),
                    $"{F(a.Result.TopOverlap.Mean)} ± {F(a.Result.TopOverlap.Std)}", F(a.Result.TopOverlap.Min));
            AnsiConsole.Write(table);
        }
        foreach (var a in report.AcrossModels.Where(a => a.Skipped is not null))
            AnsiConsole.MarkupLine($"[yellow]skipped[/] agreement across models for {Markup.Escape(a.Method)}: {Markup.Escape(a.Skipped!)}");
        foreach (var r in report.Rows.Concat(report.Agreement).Where(r => r.Skipped is not null))
            AnsiConsole.MarkupLine($"[yellow]skipped[/] {Markup.Escape(r.Method)} × {Markup.Escape(r.Metric)}: {Markup.Escape(r.Skipped!)}");
        var resumed = report.Methods.Where(m => m.Resumed).Select(m => m.Method).ToList();
        if (resumed.Count > 0)
            AnsiConsole.MarkupLine($"Read back from the earlier run with the same settings: {Markup.Escape(string.Join(", ", resumed))}.");
    }
}

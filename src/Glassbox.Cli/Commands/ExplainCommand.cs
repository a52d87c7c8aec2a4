using System.ComponentModel;
using Glassbox.Attribution;
using Glassbox.App;
using Spectre.Console;
using Spectre.Console.Cli;
using Glassbox.Visualization;

namespace Glassbox.Cli.Commands;

internal sealed partial class ExplainCommand : Command<ExplainCommand.Settings>
{
    public sealed partial class Settings : CommonSettings, IMethodOptionsSettings
    {
        [CommandOption("-m|--model <MODEL>"), Description("A checkpoint folder (from glassbox train/demo), a Sequential spec .json (+ safetensors), a TorchScript .pt (+ sidecar .json) or an .onnx file")]
        public string Model { get; init; } = "";

        [CommandOption("-i|--input <PATH>"), Description(".npy (N×C×H×W, N×H×W or H×W; float in [[0,1]] or uint8), a PNG/JPEG image, or a folder of images")]
        public string Input { get; init; } = "";

        [CommandOption("-o|--out <FOLDER>"), Description("Output folder. Default: glassbox-explain")]
        public string Out { get; init; } = "glassbox-explain";

        [CommandOption("--method <NAME>"), Description("Attribution method (see 'glassbox methods'). Default: deep-shap")]
        public string Method { get; init; } = "deep-shap";

        [CommandOption("--background <PATH>"), Description("For methods that average over a baseline distribution, when --baselines is not given: an MNIST-format folder (its training images are sampled) or a .npy of images. Default: the shipped sample")]
        public string? Background { get; init; }

        [CommandOption("--background-size <N>"), Description("Background images sampled from a folder. Default: 100")]
        public int BackgroundSize { get; init; } = 100;

        [CommandOption("--classes <CLASSES>"), Description("all (default), predicted, or a list of class indices/names like 3,7")]
        public string Classes { get; init; } = "all";

        [CommandOption("--target <TARGET>"), Description("One class per input instead of --classes: a class index or name, or a .npy of N class indices")]
        public string? Target { get; init; }

        [CommandOption("--top-k <K>"), Description("Classes per row in the image plot, by probability (0 = all explained classes)")]
        public int TopK { get; init; }

        [CommandOption("--output <SPACE>"), Description("logits (default) or probabilities")]
        public string Output { get; init; } = "logits";

        /// <summary>Method options (<c>--n-steps 64</c>, ...), bound by the method's option schema.</summary>
        public Dictionary<string, string> MethodOptions { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>The shipped sample as the default background, or "" where it is not (an installed tool): only methods that need a background then ask for --background.</summary>
    private static string ShippedSampleOrNone()
    {
        try
        {
            return Paths.ShippedSample();
        }
        catch (GlassboxException)
        {
            return "";
        }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(s.Model)) throw new GlassboxException("Pass the model with --model <checkpoint folder>.");
        if (string.IsNullOrWhiteSpace(s.Input)) throw new GlassboxException("Pass the images to explain with --input <file or folder>.");
        var output = s.Output.ToLowerInvariant() switch
        {
            "logits" or "logit" => OutputSpace.Logits,
            "probabilities" or "probability" or "probs" => OutputSpace.Probabilities,
            _ => throw new GlassboxException($"--output must be logits or probabilities, not '{s.Output}'."),
        };
        var request = new ExplainRequest(s.Model, s.Input, s.Out, s.Background ?? ShippedSampleOrNone(), s.Method, s.MethodOptions,
            s.BackgroundSize, s.Classes, s.Target, s.TopK, output, s.Seed, s.Device, s.Threads, s.Checks, s.PlotRows, s.ChunkSize,
            s.Shard is null ? null : ShardSpec.Parse(s.Shard));
        var result = ConsoleObserver.Run(obs => ExplainJob.Run(request, obs, cancellationToken));
        var e = result.Explanation;
        var a = result.Additivity;
        if (request.Shard is { } shard)
            AnsiConsole.MarkupLine($"Shard {shard}: merge the {shard.Count} shard folders with 'glassbox merge DIR1 … DIR{shard.Count} -o DIR'.");
        AnsiConsole.MarkupLine($"{Markup.Escape(e.Method)}: {e.Count} inputs × {e.TargetsPerInput} classes in {result.Seconds:F2} s ({e.Count / Math.Max(1e-9, result.Seconds):F1} images/s).");
        foreach (var warning in result.Warnings)
            AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(warning)}[/]");
        if (result.PlotRows > 0 && result.PlotRows < e.Count)
            AnsiConsole.MarkupLine($"The image plot shows the first {result.PlotRows} of {e.Count} inputs (--plot-rows); attributions.npy holds all of them.");
        int exit = 0;
        if (a is null)
            AnsiConsole.MarkupLine("This method makes no completeness promise; no additivity check applies.");
        else if (!e.AdditivityGuaranteed)
            AnsiConsole.MarkupLine($"Convergence delta (Σφ − (f(x) − f(baseline)); an estimator's error, not a failure): max |δ| = {NumberFormat.Scientific(a.Max)}, mean {NumberFormat.Scientific(a.Mean)} over {a.Count} explanations.");
        else if (a.Holds)
            AnsiConsole.MarkupLine($"[green]Additivity holds[/]: max |f(x) − E[[f]] − Σφ| = {NumberFormat.Scientific(a.Max)} over {a.Count} explanations (tolerance {NumberFormat.Scientific(a.Tolerance, 0)}·max(1,|f(x)|)).");
        else
        {
            AnsiConsole.MarkupLine($"[red bold]ADDITIVITY CHECK FAILED[/] for {a.Failures} of {a.Count} explanations: max error {NumberFormat.Scientific(a.Max)}. The attributions do not sum to f(x) − E[[f]]; do not trust them.");
            exit = 3;
        }
        if (result.Checks is { } checks)
        {
            var d = checks.Deletion;
            AnsiConsole.MarkupLine(d.BeatsRandom
                ? $"[green]Deletion check passes[/]: removing pixels by attribution lowers the class probability faster than random order (AUC {d.AttributionAuc:F3} vs {d.RandomAuc:F3}; faster on {d.ShareFasterThanRandom:P0} of {d.Images} images)."
                : $"[yellow]Deletion check: attribution order is no faster than random order[/] (AUC {d.AttributionAuc:F3} vs {d.RandomAuc:F3}); these attributions do not single out the pixels the prediction rests on.");
        }
        foreach (var (k, v) in result.Files)
            AnsiConsole.MarkupLine($"  {Markup.Escape(k)}: {Markup.Escape(Path.Combine(s.Out, v))}");
        return exit;
    }
}

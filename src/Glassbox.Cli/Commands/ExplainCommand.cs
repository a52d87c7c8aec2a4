using System.ComponentModel;
using Glassbox.Attribution;
using Glassbox.Workflow;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Glassbox.Cli.Commands;

internal sealed class ExplainCommand : Command<ExplainCommand.Settings>
{
    public sealed class Settings : CommonSettings
    {
        [CommandOption("-m|--model <CHECKPOINT>"), Description("Checkpoint folder written by 'glassbox train' or 'glassbox demo' (e.g. glassbox-out/model-a)")]
        public string Model { get; init; } = "";

        [CommandOption("-i|--input <PATH>"), Description(".npy (N×C×H×W, N×H×W or H×W; float in [[0,1]] or uint8), a PNG/JPEG image, or a folder of images")]
        public string Input { get; init; } = "";

        [CommandOption("-o|--out <FOLDER>"), Description("Output folder. Default: glassbox-explain")]
        public string Out { get; init; } = "glassbox-explain";

        [CommandOption("--method <NAME>"), Description("Attribution method: deepshap (default)")]
        public string Method { get; init; } = "deepshap";

        [CommandOption("--background <PATH>"), Description("Background: an MNIST-format folder (its training images are sampled) or a .npy of images. Default: the shipped sample")]
        public string? Background { get; init; }

        [CommandOption("--background-size <N>"), Description("Background images sampled from a folder. Default: 100")]
        public int BackgroundSize { get; init; } = 100;

        [CommandOption("--classes <CLASSES>"), Description("all (default), predicted, or a list of class indices/names like 3,7")]
        public string Classes { get; init; } = "all";

        [CommandOption("--top-k <K>"), Description("Classes per row in the image plot, by probability (0 = all explained classes)")]
        public int TopK { get; init; }

        [CommandOption("--output <SPACE>"), Description("logits (default) or probabilities")]
        public string Output { get; init; } = "logits";

        [CommandOption("--internal-batch-size <PAIRS>"), Description("(input, background) pairs per chunk; bounds memory. Default: 200")]
        public int PairsPerChunk { get; init; } = 200;
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(s.Model)) throw new GlassboxException("Pass the checkpoint with --model <folder>.");
        if (string.IsNullOrWhiteSpace(s.Input)) throw new GlassboxException("Pass the images to explain with --input <file or folder>.");
        if (!s.Method.Equals("deepshap", StringComparison.OrdinalIgnoreCase))
            throw new GlassboxException($"Unknown method '{s.Method}'. Available: deepshap.");
        var output = s.Output.ToLowerInvariant() switch
        {
            "logits" or "logit" => OutputSpace.Logits,
            "probabilities" or "probability" or "probs" => OutputSpace.Probabilities,
            _ => throw new GlassboxException($"--output must be logits or probabilities, not '{s.Output}'."),
        };
        var request = new ExplainRequest(s.Model, s.Input, s.Out, s.Background ?? Paths.ShippedSample(), s.BackgroundSize, s.Classes, s.TopK,
            output, s.Seed, s.PairsPerChunk, s.Device, s.Threads);
        var result = ConsoleObserver.Run(obs => ExplainJob.Run(request, obs, cancellationToken));
        var a = result.Additivity;
        if (a.Holds)
            AnsiConsole.MarkupLine($"[green]Additivity holds[/]: max |f(x) − E[[f]] − Σφ| = {a.Max:E2} over {a.Count} explanations (tolerance {a.Tolerance:E0}·max(1,|f(x)|)).");
        else
            AnsiConsole.MarkupLine($"[red bold]ADDITIVITY CHECK FAILED[/] for {a.Failures} of {a.Count} explanations: max error {a.Max:E2}. The attributions do not sum to f(x) − E[[f]]; do not trust them.");
        foreach (var (k, v) in result.Files)
            AnsiConsole.MarkupLine($"  {Markup.Escape(k)}: {Markup.Escape(Path.Combine(s.Out, v))}");
        return a.Holds ? 0 : 3;
    }
}

using System.ComponentModel;
using Glassbox.Attribution;
using Glassbox.App;
using Glassbox.Workflow.Methods;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Glassbox.Cli.Commands;

internal sealed partial class ExplainCommand : Command<ExplainCommand.Settings>
{
    public sealed partial class Settings : CommonSettings
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

        [CommandOption("--baselines <BASELINES>"), Description("zeros, constant:V, blur, blur:SIGMA, or a .npy of baseline images (Captum's baselines)")]
        public string? Baselines { get; init; }

        [CommandOption("--internal-batch-size <N>"), Description("Points (or input×baseline pairs) per forward/backward pass; bounds memory")]
        public string? InternalBatchSize { get; init; }

        [CommandOption("--n-steps <N>"), Description("integrated-gradients: integration steps (default 50)")]
        public string? NSteps { get; init; }

        [CommandOption("--integration-method <METHOD>"), Description("integrated-gradients: gausslegendre (default), riemann_left, riemann_right, riemann_middle, riemann_trapezoid")]
        public string? IntegrationMethod { get; init; }

        [CommandOption("--n-samples <N>"), Description("Samples: gradient-shap (5), gradient-explainer (200), shapley-value-sampling (25 permutations), kernel-shap (2M+2048), lime (25)")]
        public string? NSamples { get; init; }

        [CommandOption("--stdevs <SIGMA>"), Description("gradient-shap: standard deviation of the input noise (default 0)")]
        public string? Stdevs { get; init; }

        [CommandOption("--local-smoothing <SIGMA>"), Description("gradient-explainer: SHAP's local_smoothing (default 0)")]
        public string? LocalSmoothing { get; init; }

        [CommandOption("--nt-type <TYPE>"), Description("Wrap the method in a noise tunnel: smoothgrad, smoothgrad_sq or vargrad")]
        public string? NtType { get; init; }

        [CommandOption("--nt-samples <N>"), Description("Noise tunnel: noisy copies per input (default 5)")]
        public string? NtSamples { get; init; }

        [CommandOption("--nt-stdevs <SIGMA>"), Description("Noise tunnel: absolute standard deviation of the noise (default 1.0, as Captum)")]
        public string? NtStdevs { get; init; }

        [CommandOption("--abs <BOOL>"), Description("saliency: absolute gradients (true, default) or signed (false)")]
        public string? Abs { get; init; }

        [CommandOption("--sliding-window <SHAPE>"), Description("occlusion: window as H,W or C,H,W")]
        public string? SlidingWindow { get; init; }

        [CommandOption("--strides <STRIDES>"), Description("occlusion: one value, H,W or C,H,W (default 1)")]
        public string? Strides { get; init; }

        [CommandOption("--feature-mask <MASK>"), Description("Features for perturbation methods: grid:N, slic:N[[,COMPACTNESS]] or a .npy of ids (H×W or C×H×W)")]
        public string? FeatureMask { get; init; }

        [CommandOption("--perturbations-per-eval <N>"), Description("Perturbed copies per forward pass")]
        public string? PerturbationsPerEval { get; init; }

        [CommandOption("--layer <LAYER>"), Description("CAM methods: layer index, or last-conv (default)")]
        public string? Layer { get; init; }

        [CommandOption("--interpolation <MODE>"), Description("CAM methods: nearest (default, as Captum) or bilinear")]
        public string? Interpolation { get; init; }

        [CommandOption("--relu-attributions <BOOL>"), Description("grad-cam: apply ReLU to the map (default false, as Captum)")]
        public string? ReluAttributions { get; init; }

        [CommandOption("--composite <NAME>"), Description("lrp: epsilon, epsilon-plus, epsilon-gamma or alpha1-beta0")]
        public string? Composite { get; init; }

        [CommandOption("--epsilon <EPS>"), Description("lrp: epsilon of the epsilon rule")]
        public string? Epsilon { get; init; }

        [CommandOption("--gamma <GAMMA>"), Description("lrp: gamma of the gamma rule")]
        public string? Gamma { get; init; }

        [CommandOption("--max-evals <N>"), Description("partition-shap: model evaluations (default 500)")]
        public string? MaxEvals { get; init; }

        [CommandOption("--masker <MASKER>"), Description("partition-shap: blur(K,K), inpaint_telea, inpaint_ns or a constant")]
        public string? Masker { get; init; }

        [CommandOption("--alpha <ALPHA>"), Description("lime: Lasso alpha (default 0.01)")]
        public string? Alpha { get; init; }

        [CommandOption("--kernel-width <W>"), Description("lime: width of the exponential kernel (default 1.0)")]
        public string? KernelWidth { get; init; }

        public Dictionary<string, string> MethodOptions()
        {
            var all = new (string Name, string? Value)[]
            {
                ("--baselines", Baselines), ("--internal-batch-size", InternalBatchSize), ("--n-steps", NSteps),
                ("--integration-method", IntegrationMethod), ("--n-samples", NSamples), ("--stdevs", Stdevs),
                ("--local-smoothing", LocalSmoothing), ("--nt-type", NtType), ("--nt-samples", NtSamples), ("--nt-stdevs", NtStdevs),
                ("--abs", Abs), ("--sliding-window", SlidingWindow), ("--strides", Strides), ("--feature-mask", FeatureMask),
                ("--perturbations-per-eval", PerturbationsPerEval), ("--layer", Layer), ("--interpolation", Interpolation),
                ("--relu-attributions", ReluAttributions), ("--composite", Composite), ("--epsilon", Epsilon), ("--gamma", Gamma),
                ("--max-evals", MaxEvals), ("--masker", Masker), ("--alpha", Alpha), ("--kernel-width", KernelWidth),
            };
            return all.Where(o => o.Value is not null).ToDictionary(o => o.Name, o => o.Value!);
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
        var request = new ExplainRequest(s.Model, s.Input, s.Out, s.Background ?? Paths.ShippedSample(), s.Method, s.MethodOptions(),
            s.BackgroundSize, s.Classes, s.Target, s.TopK, output, s.Seed, s.Device, s.Threads, s.Checks);
        var result = ConsoleObserver.Run(obs => ExplainJob.Run(request, obs, cancellationToken));
        var e = result.Explanation;
        var a = result.Additivity;
        AnsiConsole.MarkupLine($"{Markup.Escape(e.Method)}: {e.Count} inputs × {e.TargetsPerInput} classes in {result.Seconds:F2} s.");
        int exit = 0;
        if (a is null)
            AnsiConsole.MarkupLine("This method makes no completeness promise; no additivity check applies.");
        else if (!e.AdditivityGuaranteed)
            AnsiConsole.MarkupLine($"Convergence delta (Σφ − (f(x) − f(baseline)); an estimator's error, not a failure): max |δ| = {a.Max:E2}, mean {a.Mean:E2} over {a.Count} explanations.");
        else if (a.Holds)
            AnsiConsole.MarkupLine($"[green]Additivity holds[/]: max |f(x) − E[[f]] − Σφ| = {a.Max:E2} over {a.Count} explanations (tolerance {a.Tolerance:E0}·max(1,|f(x)|)).");
        else
        {
            AnsiConsole.MarkupLine($"[red bold]ADDITIVITY CHECK FAILED[/] for {a.Failures} of {a.Count} explanations: max error {a.Max:E2}. The attributions do not sum to f(x) − E[[f]]; do not trust them.");
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

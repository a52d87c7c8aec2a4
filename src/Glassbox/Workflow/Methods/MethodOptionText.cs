using System.Globalization;
using Glassbox.Attribution;
using Glassbox.Models;
using TorchSharp;

namespace Glassbox.Workflow.Methods;

/// <summary>
/// Method options as text keyed by their command-line names (<c>--n-steps</c> → <c>"50"</c>), turned into
/// <see cref="MethodArguments"/> for one method. An option the method does not read is an error, not silently ignored.
/// </summary>
public static class MethodOptionText
{
    /// <summary>Noise-tunnel options: they apply to every method (the tunnel wraps it).</summary>
    public static IReadOnlyList<string> NoiseTunnelOptions { get; } = ["--nt-type", "--nt-samples", "--nt-stdevs"];

    /// <summary>Options every method accepts.</summary>
    public static IReadOnlyList<string> CommonOptions { get; } = ["--output", "--seed"];

    /// <summary>Every option name this parser knows.</summary>
    public static IReadOnlyList<string> Known { get; } =
    [
        "--n-steps", "--integration-method", "--internal-batch-size", "--n-samples", "--stdevs", "--local-smoothing",
        "--nt-type", "--nt-samples", "--nt-stdevs", "--baselines", "--abs", "--sliding-window", "--strides", "--feature-mask",
        "--perturbations-per-eval", "--layer", "--interpolation", "--relu-attributions", "--composite", "--epsilon", "--gamma",
        "--max-evals", "--masker", "--alpha", "--kernel-width",
    ];

    /// <summary>Builds the arguments of <paramref name="entry"/> from <paramref name="options"/>.</summary>
    public static MethodArguments Build(MethodEntry entry, IReadOnlyDictionary<string, string> options, ModelInfo info, torch.Device device,
        OutputSpace output, int seed)
    {
        foreach (var name in options.Keys)
        {
            if (!Known.Contains(name)) throw new GlassboxException($"Unknown method option {name}.");
            if (!entry.Options.Contains(name) && !NoiseTunnelOptions.Contains(name) && !CommonOptions.Contains(name))
                throw new GlassboxException($"{name} does not apply to {entry.Name}; it reads: {string.Join(", ", entry.Options.Where(o => !CommonOptions.Contains(o)).DefaultIfEmpty("no method options"))}.");
        }
        if (!options.ContainsKey("--nt-type") && (options.ContainsKey("--nt-samples") || options.ContainsKey("--nt-stdevs")))
            throw new GlassboxException("--nt-samples and --nt-stdevs configure the noise tunnel; add --nt-type smoothgrad|smoothgrad_sq|vargrad.");
        string? S(string n) => options.TryGetValue(n, out var v) ? v : null;
        int? I(string n) => S(n) is { } v ? (int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int x) ? x
            : throw new GlassboxException($"{n}: '{v}' is not an integer.")) : null;
        double? D(string n) => S(n) is { } v ? (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && double.IsFinite(x) ? x
            : throw new GlassboxException($"{n}: '{v}' is not a finite number.")) : null;
        bool? B(string n) => S(n) is { } v ? v.Trim().ToLowerInvariant() switch
        {
            "true" or "yes" or "1" => true,
            "false" or "no" or "0" => false,
            _ => throw new GlassboxException($"{n}: '{v}' is not true or false."),
        } : null;
        return new MethodArguments
        {
            Output = output,
            Seed = seed,
            NSteps = I("--n-steps"),
            IntegrationMethod = S("--integration-method"),
            InternalBatchSize = I("--internal-batch-size"),
            NSamples = I("--n-samples"),
            Stdevs = D("--stdevs"),
            LocalSmoothing = D("--local-smoothing"),
            NtType = S("--nt-type"),
            NtSamples = I("--nt-samples"),
            NtStdevs = D("--nt-stdevs"),
            Baselines = S("--baselines") is { } b ? MethodArgumentParser.ParseBaselines(b, info, device) : null,
            Abs = B("--abs"),
            SlidingWindow = S("--sliding-window") is { } sw ? MethodArgumentParser.ParseIntList(sw, "--sliding-window") : null,
            Strides = S("--strides") is { } st ? MethodArgumentParser.ParseIntList(st, "--strides") : null,
            FeatureMask = S("--feature-mask") is { } fm ? MethodArgumentParser.ParseFeatureMask(fm, info) : null,
            PerturbationsPerEval = I("--perturbations-per-eval"),
            Layer = S("--layer"),
            Interpolation = S("--interpolation"),
            ReluAttributions = B("--relu-attributions"),
            Composite = S("--composite"),
            Epsilon = D("--epsilon"),
            Gamma = D("--gamma"),
            MaxEvals = I("--max-evals"),
            Masker = S("--masker"),
            Alpha = D("--alpha"),
            KernelWidth = D("--kernel-width"),
        };
    }
}

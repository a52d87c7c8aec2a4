using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Metrics.Common;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Faithfulness;

/// <summary>Settings for <see cref="Infidelity"/> (Captum's <c>captum.metrics.infidelity</c> defaults).</summary>
/// <param name="NPerturbSamples">Perturbations per input (Captum <c>n_perturb_samples</c>).</param>
/// <param name="MaxExamplesPerBatch">Perturbed inputs per forward pass, clamped to [N, N·samples] as Captum does
/// (Captum <c>max_examples_per_batch</c>); null = all at once. It also sets the order of the noise draws.</param>
/// <param name="Normalize">Scale the attributions by Captum's β = E[Iᵀφ·Δf] / E[(Iᵀφ)²] first, so the score does not
/// change with the attributions' scale (Captum <c>normalize</c>).</param>
/// <param name="NoiseStd">Standard deviation of the Gaussian perturbation I (Captum's documented <c>perturb_fn</c> draws
/// N(0, 0.003²) noise and returns (noise, inputs − noise)).</param>
/// <param name="Perturbation">"gaussian" (the noise above) or "square": a random <paramref name="SquareSize"/>-pixel
/// square of every channel set to 0 (Yeh et al.'s square removal), I = x − x'.</param>
/// <param name="SquareSize">Side of the removed square, in pixels (clamped to the image).</param>
/// <param name="MultiplyByInputs">Use I = (x − x') / x (Captum's <c>infidelity_perturb_func_decorator(True)</c>, safe
/// division with 1 for 0) for attributions that already include the input (input × gradient, IG, DeepLIFT, SHAP); with
/// square removal that is the binary square mask.</param>
/// <param name="Seed">Seeds the torch generator the noise is drawn from (<c>torch.manual_seed(seed)</c>; then
/// <c>torch.randn</c> draws the same numbers as PyTorch).</param>
public sealed record InfidelityOptions(
    [property: Option("n-perturb-samples", Reference = "n_perturb_samples", Min = 1, Max = 1000000, Help = "Perturbations per input")] int NPerturbSamples = 10,
    [property: Option("max-examples-per-batch", Reference = "max_examples_per_batch", Min = 1, Max = 100000000, Default = "all at once", Help = "Perturbed inputs per forward pass")] int? MaxExamplesPerBatch = null,
    [property: Option("normalize", Reference = "normalize", Help = "Scale attributions by the best-fitting factor first")] bool Normalize = false,
    [property: Option("noise-std", Min = 0, Max = 1000, Help = "Standard deviation of the Gaussian input perturbation")] double NoiseStd = 0.003,
    [property: Option("seed", Min = 0, Max = int.MaxValue, Help = "Seed of the torch generator the noise is drawn from")] int Seed = 0,
    [property: Option("perturbation", Help = "gaussian (noise) or square (a random square set to 0)")] string Perturbation = "gaussian",
    [property: Option("square-size", Min = 1, Max = 4096, Help = "Side of the removed square, in pixels")] int SquareSize = 4,
    [property: Option("multiply-by-inputs", Help = "Divide the perturbation by the input (for attributions that include it)")] bool MultiplyByInputs = false)
{
    /// <summary>The names <see cref="Perturbation"/> accepts.</summary>
    public static IReadOnlyList<string> PerturbationNames { get; } = ["gaussian", "square"];

    /// <summary>True for square removal.</summary>
    public bool IsSquare => string.Equals(Perturbation.Trim(), "square", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Infidelity (Yeh et al. 2019, "On the (In)fidelity and Sensitivity of Explanations"), exactly as Captum's
/// <c>captum.metrics.infidelity</c> with Gaussian perturbations (or Yeh et al.'s square removal): E_I[(Iᵀφ − (f(x) − f(x − I)))²] over
/// <see cref="InfidelityOptions.NPerturbSamples"/> noise draws I per input, in float32 with Captum's batching, so the same
/// seed gives Captum's numbers. Lower is better. Each target slot k of the explanation is one Captum call (inputs of all
/// N images, their k-th targets and maps), the calls drawing from one generator in order k = 0, 1, ….
/// </summary>
public sealed class Infidelity(InfidelityOptions? options = null) : IExplanationMetric
{
    /// <summary>The settings.</summary>
    public InfidelityOptions Options { get; } = options ?? new InfidelityOptions();

    /// <inheritdoc/>
    public string Name => "infidelity";
    /// <inheritdoc/>
    public MetricCategory Category => MetricCategory.Faithfulness;
    /// <inheritdoc/>
    public bool HigherIsBetter => false;
    /// <inheritdoc/>
    public MetricRequirement Requirement => MetricRequirement.Forward;

    /// <inheritdoc/>
    public MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, CancellationToken cancel = default)
    {
        PerturbationTrials.AtLeast(Name, "n-perturb-samples", Options.NPerturbSamples, 1);
        if (Options.MaxExamplesPerBatch is int mx) PerturbationTrials.AtLeast(Name, "max-examples-per-batch", mx, 1);
        if (!(Options.NoiseStd >= 0) || !double.IsFinite(Options.NoiseStd))
            throw new GlassboxException($"{Name}: noise-std must be a finite number ≥ 0, not {Options.NoiseStd}.");
        if (Options.Seed < 0) throw new GlassboxException($"{Name}: seed must be ≥ 0, not {Options.Seed}.");
        if (!InfidelityOptions.PerturbationNames.Contains(Options.Perturbation.Trim().ToLowerInvariant()))
            throw new GlassboxException($"{Name}: unknown perturbation '{Options.Perturbation}'. Use one of: {string.Join(", ", InfidelityOptions.PerturbationNames)}.");
        PerturbationTrials.AtLeast(Name, "square-size", Options.SquareSize, 1);
        MetricInputs.CheckExplained(model, inputs, explanation, Name);
        int n = explanation.Count, k = explanation.TargetsPerInput;
        var s = explanation.Shape;
        var scores = new double[n * k];
        using var generator = new torch.Generator((ulong)Options.Seed);
        using var x = inputs.detach().to_type(ScalarType.Float32).cpu().contiguous();
        for (int slot = 0; slot < k; slot++)
        {
            cancel.ThrowIfCancellationRequested();
            var maps = new float[n * explanation.MapSize];
            var targets = new long[n];
            for (int i = 0; i < n; i++)
            {
                explanation.Map(i, slot).CopyTo(maps.AsSpan(i * explanation.MapSize));
                targets[i] = explanation.Targets[i * k + slot];
            }
            using var attributions = torch.tensor(maps, [n, s[2], s[3], s[4]]);
            var values = Compute(model, x, attributions, targets, explanation.Output, Options, generator, cancel);
            for (int i = 0; i < n; i++) scores[i * k + slot] = values[i];
        }
        return new MetricResult(Name, scores, Options);
    }

    /// <summary>
    /// Captum's <c>infidelity</c> for one batch: <paramref name="inputs"/> and <paramref name="attributions"/> N×C×H×W,
    /// one target per input, noise drawn from <paramref name="generator"/> in Captum's order (one N·m×C×H×W draw per
    /// chunk of m samples per input).
    /// </summary>
    public static double[] Compute(IImageModel model, Tensor inputs, Tensor attributions, long[] targets, OutputSpace output,
        InfidelityOptions options, torch.Generator generator, CancellationToken cancel = default)
    {
        long bsz = inputs.shape[0];
        int samples = options.NPerturbSamples;
        // Captum's _divide_and_aggregate_metrics: chunks of m samples per input, the last one shorter.
        int m = options.MaxExamplesPerBatch is int max ? (int)Math.Min(Math.Max(max / bsz, 1), samples) : samples;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var x = inputs.to_type(ScalarType.Float32).cpu();
        var attr = attributions.to_type(ScalarType.Float32).cpu();
        var target = torch.tensor(targets);
        var fx = Forward(model, x, target, output);
        Tensor[]? sums = null;
        int done = 0;
        while (done < samples)
        {
            cancel.ThrowIfCancellationRequested();
            int c = Math.Min(m, samples - done);
            var parts = Chunk(model, x, attr, target, fx, c, output, options, generator);
            sums = sums is null ? parts : sums.Zip(parts, (a, b) => a + b).ToArray();
            done += c;
        }
        Tensor result;
        if (options.Normalize)
        {
            var beta = sums![1] / torch.where(sums[0] != 0, sums[0], torch.tensor(1f));
            result = beta * beta * sums[0] - 2 * beta * sums[1] + sums[2];
        }
        else result = sums![0];
        result = result / samples;
        return result.to_type(ScalarType.Float64).data<double>().ToArray();
    }

    /// <summary>One chunk of <paramref name="c"/> perturbations per input: Captum's <c>_next_infidelity_tensors</c>.</summary>
    private static Tensor[] Chunk(IImageModel model, Tensor x, Tensor attr, Tensor target, Tensor fx, int c, OutputSpace output,
        InfidelityOptions options, torch.Generator generator)
    {
        long bsz = x.shape[0];
        var expanded = x.repeat_interleave(c, 0);
        var (noise, perturbed) = options.IsSquare ? Square(expanded, options.SquareSize, generator) : Gaussian(expanded, options.NoiseStd, generator);
        if (options.MultiplyByInputs) noise = (expanded - perturbed) / torch.where(expanded != 0, expanded, torch.tensor(1f));
        var fPerturbed = Forward(model, perturbed, target.repeat_interleave(c, 0), output);
        var diffs = (fx.repeat_interleave(c, 0) - fPerturbed).view(bsz, -1);
        var dots = (attr.repeat_interleave(c, 0) * noise).view(bsz * c, -1).sum(1).view(bsz, -1);
        if (options.Normalize)
            return [dots.pow(2).sum(-1), (dots * diffs).sum(-1), diffs.pow(2).sum(-1)];
        return [(dots - diffs).pow(2).sum(-1)];
    }

    /// <summary>Captum's documented <c>perturb_fn</c>: noise ~ N(0, std²) from <paramref name="generator"/>, and x − noise.</summary>
    private static (Tensor Perturbation, Tensor Perturbed) Gaussian(Tensor x, double std, torch.Generator generator)
    {
        var noise = torch.randn(x.shape, dtype: ScalarType.Float32, generator: generator) * (float)std;
        return (noise, x - noise);
    }

    /// <summary>
    /// Square removal: for every row a square of side <paramref name="size"/> (clamped to the image) at a random position
    /// (top rows then left columns, drawn with <c>torch.randint</c> from <paramref name="generator"/>) set to 0 in every
    /// channel; the perturbation is x − x'.
    /// </summary>
    private static (Tensor Perturbation, Tensor Perturbed) Square(Tensor x, int size, torch.Generator generator)
    {
        long rows = x.shape[0], h = x.shape[2], w = x.shape[3];
        long sh = Math.Min(size, h), sw = Math.Min(size, w);
        var top = torch.randint(0, h - sh + 1, [rows], dtype: ScalarType.Int64, generator: generator).data<long>().ToArray();
        var left = torch.randint(0, w - sw + 1, [rows], dtype: ScalarType.Int64, generator: generator).data<long>().ToArray();
        var keep = new float[rows * h * w];
        Array.Fill(keep, 1f);
        for (long r = 0; r < rows; r++)
            for (long i = top[r]; i < top[r] + sh; i++)
                for (long j = left[r]; j < left[r] + sw; j++) keep[(r * h + i) * w + j] = 0;
        var mask = torch.tensor(keep, [rows, 1, h, w]);
        var perturbed = x * mask;
        return (x - perturbed, perturbed);
    }

    /// <summary>The explained output of each row's target (Captum's <c>_run_forward</c> with a target), on the CPU in float32.</summary>
    private static Tensor Forward(IImageModel model, Tensor x, Tensor target, OutputSpace output)
    {
        var logits = model.Forward(x.to(model.Device));
        var values = output == OutputSpace.Probabilities ? nn.functional.softmax(logits, 1) : logits;
        return values.gather(1, target.to(values.device).unsqueeze(1)).squeeze(1).to_type(ScalarType.Float32).cpu();
    }
}

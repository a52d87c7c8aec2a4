using Glassbox.Attribution.Catalog;
using Glassbox.Attribution.Common;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Gradient;

/// <summary>Settings for <see cref="GradientShap"/> (Captum's defaults).</summary>
/// <param name="NSamples">Samples per input (Captum <c>n_samples</c>, default 5).</param>
/// <param name="Stdevs">Standard deviation of the Gaussian noise added to the input (Captum <c>stdevs</c>, default 0), in pixel units.</param>
/// <param name="Output">Explain logits (default) or softmax probabilities.</param>
/// <param name="InternalBatchSize">Samples per forward/backward pass.</param>
/// <param name="Seed">Seed of the baseline, α and noise draws.</param>
public sealed record GradientShapOptions(
    [property: Option("n-samples", Reference = "n_samples", Min = 1, Max = 1000000, Help = "Random (baseline, point) samples per input")] int NSamples = 5,
    [property: Option("stdevs", Reference = "stdevs", Min = 0, Help = "Standard deviation of the Gaussian noise added to the input")] double Stdevs = 0.0,
    [property: Option("output", Help = "logits or probabilities (softmax)")] OutputSpace Output = OutputSpace.Logits,
    [property: Option("internal-batch-size", Reference = "internal_batch_size", Min = 1, Max = 1000000, Help = "Samples per forward/backward pass")] int InternalBatchSize = 64,
    [property: Option("seed", Help = "Seed of the random draws")] int Seed = 0);

/// <summary>
/// GradientSHAP (Lundberg and Lee 2017, "A Unified Approach to Interpreting Model Predictions"), as Captum's
/// <c>GradientShap</c> (SmoothGrad over <c>InputBaselineXGradient</c>): for each of n_samples draws of a baseline r
/// from the distribution, α ~ U(0,1) and noise ε ~ N(0, stdevs²), the term <c>(x̃ − r) ⊙ ∇f(r + α(x̃ − r))</c> with
/// <c>x̃ = x + ε</c>; the attribution is the mean. Base values are the mean of f over the drawn baselines, so with
/// stdevs 0 the reported delta equals Captum's mean convergence delta. Not additive: the delta is a convergence measure.
/// </summary>
public sealed class GradientShap : IAttributionMethod
{
    private readonly IImageModel _model;
    private readonly Baseline _baselines;

    /// <summary>GradientSHAP for <paramref name="model"/> with a baseline distribution (B ≥ 1 images, or a constant).</summary>
    public GradientShap(IImageModel model, Baseline baselines, GradientShapOptions? options = null)
    {
        ModelCapabilities.RequireGradients(model, "GradientSHAP");
        Options = options ?? new GradientShapOptions();
        GradientPass.AtLeast("n_samples", Options.NSamples, 1);
        GradientPass.AtLeast("The internal batch size", Options.InternalBatchSize, 1);
        GradientPass.NonNegative("stdevs", Options.Stdevs);
        _model = model;
        _baselines = baselines;
    }

    /// <summary>The settings in use.</summary>
    public GradientShapOptions Options { get; }

    /// <inheritdoc />
    public string Name => "gradient-shap";

    /// <inheritdoc />
    public Explanation Attribute(Tensor inputs, TargetSelection targets, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
    {
        GradientPass.CheckInputs(_model, inputs, "GradientSHAP");
        var builder = new ExplanationBuilder("GradientShap", Options, inputs.shape, targets, _model.Info.Classes);
        using var scope = torch.NewDisposeScope();
        var x = inputs.detach().to(_model.Device);
        var background = _baselines.Distribution(x).detach().to(x.dtype);
        if (background.shape[0] < 1) throw new GlassboxException("The baseline distribution is empty; give at least one image.");
        InputChecks.Finite(background, "baseline images");
        var transform = GradientPass.Transform(Options.Output);
        var sampler = new ExpectedGradients(_model, Options.NSamples, Options.Stdevs, Options.Seed);
        var (maps, drawn) = sampler.Run(x, background, builder.Targets, builder.K, Options.InternalBatchSize, transform, progress, cancel);
        GradientPass.Store(builder, maps);

        var outputs = builder.SelectOutputs(GradientPass.Outputs(_model, x, Options.InternalBatchSize, transform));
        var used = drawn.Distinct().Order().ToArray();
        var usedOutputs = GradientPass.Outputs(_model, background.index_select(0, torch.tensor(used.Select(i => (long)i).ToArray(), device: x.device)),
            Options.InternalBatchSize, transform).to_type(ScalarType.Float64).cpu();
        var row = new Dictionary<int, int>();
        for (int i = 0; i < used.Length; i++) row[used[i]] = i;
        var f = usedOutputs.data<double>().ToArray();
        int classes = (int)usedOutputs.shape[1], s = Options.NSamples;
        var baseValues = new double[builder.N * builder.K];
        for (int i = 0; i < baseValues.Length; i++)
        {
            int input = i / builder.K, cls = builder.Targets[i];
            double sum = 0;
            for (int j = 0; j < s; j++) sum += f[row[drawn[input * s + j]] * classes + cls];
            baseValues[i] = sum / s;
        }
        return builder.Build(Options.Output, outputs, baseValues, completeness: true, guaranteed: false);
    }
}

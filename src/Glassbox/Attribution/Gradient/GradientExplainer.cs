using Glassbox.Attribution.Catalog;
using Glassbox.Attribution.Common;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Gradient;

/// <summary>Settings for <see cref="GradientExplainer"/> (SHAP's defaults).</summary>
/// <param name="NSamples">Samples per input (SHAP <c>nsamples</c>, default 200).</param>
/// <param name="LocalSmoothing">Standard deviation of Gaussian noise added to the input per sample (SHAP <c>local_smoothing</c>, default 0), in pixel units.</param>
/// <param name="Output">Explain logits (default) or softmax probabilities.</param>
/// <param name="InternalBatchSize">Samples per forward/backward pass (SHAP <c>batch_size</c>, default 50).</param>
/// <param name="Seed">Seed of the background, t and noise draws (SHAP <c>rseed</c>).</param>
public sealed record GradientExplainerOptions(
    [property: Option("n-samples", Reference = "nsamples", Min = 1, Max = 1000000, Help = "Samples per input")] int NSamples = 200,
    [property: Option("local-smoothing", Reference = "local_smoothing", Min = 0, Help = "Standard deviation of the Gaussian noise added per sample")] double LocalSmoothing = 0.0,
    [property: Option("output", Help = "logits or probabilities (softmax)")] OutputSpace Output = OutputSpace.Logits,
    [property: Option("internal-batch-size", Reference = "batch_size", Min = 1, Max = 1000000, Help = "Samples per forward/backward pass")] int InternalBatchSize = 50,
    [property: Option("seed", Reference = "rseed", Help = "Seed of the random draws")] int Seed = 0);

/// <summary>
/// Expected gradients as <c>shap.GradientExplainer</c> computes them for PyTorch (Erion et al. 2021, "Improving
/// performance of deep learning models with axiomatic attribution priors and expected gradients"; Lundberg and Lee
/// 2017): for each of nsamples draws of a background row r, t ~ U(0,1) and x̃ = x + N(0, local_smoothing²), the term
/// <c>∇f(t·x̃ + (1−t)·r) ⊙ (x̃ − r)</c>; the attribution is their mean. The base value is the mean output over the
/// whole background (E[f]); Σφ ≈ f(x) − E[f] holds only in expectation, so the delta is a convergence measure.
/// </summary>
public sealed class GradientExplainer : IAttributionMethod
{
    private readonly IImageModel _model;
    private readonly Tensor _background;

    /// <summary>Prepares the explainer with a background set (B×C×H×W pixels, B ≥ 1).</summary>
    public GradientExplainer(IImageModel model, Tensor background, GradientExplainerOptions? options = null)
    {
        ModelCapabilities.RequireGradients(model, "GradientExplainer");
        Options = options ?? new GradientExplainerOptions();
        GradientPass.AtLeast("nsamples", Options.NSamples, 1);
        GradientPass.AtLeast("The internal batch size", Options.InternalBatchSize, 1);
        GradientPass.NonNegative("local_smoothing", Options.LocalSmoothing);
        ModelCapabilities.CheckInput(model, background);
        if (background.shape[0] < 1) throw new GlassboxException("The background set is empty; give at least one image.");
        InputChecks.Finite(background, "background images");
        _model = model;
        _background = background.detach().to(model.Device);
        using var scope = torch.NewDisposeScope();
        var f = GradientPass.Outputs(model, _background, Options.InternalBatchSize, GradientPass.Transform(Options.Output));
        ExpectedValue = f.to_type(ScalarType.Float64).mean([0]).cpu().data<double>().ToArray();
    }

    /// <summary>The settings in use.</summary>
    public GradientExplainerOptions Options { get; }

    /// <summary>E_r[f_c(r)] over the background for every class c.</summary>
    public double[] ExpectedValue { get; }

    /// <inheritdoc />
    public string Name => "gradient-explainer";

    /// <inheritdoc />
    public Explanation Attribute(Tensor inputs, TargetSelection targets, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
    {
        GradientPass.CheckInputs(_model, inputs, "GradientExplainer");
        var builder = new ExplanationBuilder("GradientExplainer", Options, inputs.shape, targets, _model.Info.Classes);
        using var scope = torch.NewDisposeScope();
        var x = inputs.detach().to(_model.Device);
        var background = _background.to(x.dtype);
        var transform = GradientPass.Transform(Options.Output);
        var sampler = new ExpectedGradients(_model, Options.NSamples, Options.LocalSmoothing, Options.Seed);
        var (maps, _) = sampler.Run(x, background, builder.Targets, builder.K, Options.InternalBatchSize, transform, progress, cancel);
        GradientPass.Store(builder, maps);
        var outputs = builder.SelectOutputs(GradientPass.Outputs(_model, x, Options.InternalBatchSize, transform));
        var baseValues = builder.Targets.Select(t => ExpectedValue[t]).ToArray();
        return builder.Build(Options.Output, outputs, baseValues, completeness: true, guaranteed: false);
    }
}

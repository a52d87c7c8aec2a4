using Glassbox.Attribution.Catalog;
using Glassbox.Attribution.Approximation;
using Glassbox.Attribution.Common;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Gradient;

/// <summary>Settings for <see cref="IntegratedGradients"/> (Captum's defaults).</summary>
/// <param name="NSteps">Points on the path (Captum <c>n_steps</c>, default 50).</param>
/// <param name="Method">Quadrature rule (Captum <c>method</c>, default Gauss–Legendre).</param>
/// <param name="InternalBatchSize">Path points per forward/backward pass (Captum <c>internal_batch_size</c>); null = n_steps (all points of one input).</param>
/// <param name="Output">Explain logits (default) or softmax probabilities.</param>
/// <param name="Baselines">Reference images (Captum <c>baselines</c>); null = zeros.</param>
public sealed record IntegratedGradientsOptions(
    [property: Option("n-steps", Reference = "n_steps", Min = 1, Max = 100000, Help = "Points on the path from the baseline to the input")] int NSteps = 50,
    [property: Option("integration-method", Reference = "method", Help = "Quadrature rule")] IntegrationMethod Method = IntegrationMethod.GaussLegendre,
    [property: Option("internal-batch-size", Reference = "internal_batch_size", Min = 1, Max = 1000000, Default = "n-steps", Help = "Path points per forward/backward pass")] int? InternalBatchSize = null,
    [property: Option("output", Help = "logits or probabilities (softmax)")] OutputSpace Output = OutputSpace.Logits,
    [property: Option("baselines", Reference = "baselines", Default = "zeros", Help = "zeros, constant:V, blur, blur:SIGMA or a .npy of images")] Baseline? Baselines = null);

/// <summary>
/// Integrated gradients (Sundararajan, Taly and Yan 2017, "Axiomatic Attribution for Deep Networks"), as Captum's
/// <c>IntegratedGradients</c>: <c>(x − b) ⊙ Σ_i w_i ∇f(b + α_i (x − b))</c> with Captum's alphas and step sizes.
/// The convergence delta <c>Σφ − (f(x) − f(b))</c> is reported per example (not guaranteed small: it shrinks with n_steps).
/// </summary>
public sealed class IntegratedGradients : IAttributionMethod
{
    private readonly IImageModel _model;
    private readonly double[] _alphas;
    private readonly double[] _weights;

    /// <summary>Integrated gradients for <paramref name="model"/> (which must support gradients).</summary>
    public IntegratedGradients(IImageModel model, IntegratedGradientsOptions? options = null)
    {
        ModelCapabilities.RequireGradients(model, "Integrated gradients");
        Options = options ?? new IntegratedGradientsOptions();
        GradientPass.AtLeast("n_steps", Options.NSteps, 1);
        if (Options.InternalBatchSize is int b) GradientPass.AtLeast("The internal batch size", b, 1);
        (_alphas, _weights) = Options.Method.Points(Options.NSteps);
        _model = model;
    }

    /// <summary>The settings in use.</summary>
    public IntegratedGradientsOptions Options { get; }

    /// <inheritdoc />
    public string Name => "integrated-gradients";

    /// <inheritdoc />
    public Explanation Attribute(Tensor inputs, TargetSelection targets, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
    {
        GradientPass.CheckInputs(_model, inputs, "Integrated gradients");
        var builder = new ExplanationBuilder("IntegratedGradients", Options, inputs.shape, targets, _model.Info.Classes);
        using var scope = torch.NewDisposeScope();
        var x = inputs.detach().to(_model.Device);
        var b = (Options.Baselines ?? Baseline.Zeros).PerInput(x).detach().to(x.dtype);
        InputChecks.Finite(b, "baseline images");
        var diff = x - b;
        int steps = Options.NSteps;
        var alphas = torch.tensor(_alphas, device: x.device).to(x.dtype);
        var weights = torch.tensor(_weights, device: x.device).to(x.dtype);
        var transform = GradientPass.Transform(Options.Output);
        int batch = Options.InternalBatchSize ?? steps;

        var sums = GradientPass.Accumulate(_model, x, steps, batch, builder.Targets, builder.K, (start, len) =>
        {
            var (owner, step) = GradientPass.OwnerAndIndex(start, len, steps, x.device);
            var a = alphas.index_select(0, step).view(-1, 1, 1, 1);
            var points = b.index_select(0, owner) + a * diff.index_select(0, owner);
            return (points, weights.index_select(0, step).view(-1, 1, 1, 1));
        }, transform, progress, cancel);
        for (int s = 0; s < sums.Length; s++) builder.SetSlot(s, sums[s] * diff);

        int fb = Math.Max(batch, 1);
        var outputs = builder.SelectOutputs(GradientPass.Outputs(_model, x, fb, transform));
        var baseValues = builder.SelectOutputs(GradientPass.Outputs(_model, b, fb, transform));
        return builder.Build(Options.Output, outputs, baseValues, completeness: true, guaranteed: false);
    }
}

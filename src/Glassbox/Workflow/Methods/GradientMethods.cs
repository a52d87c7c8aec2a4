using Glassbox.Attribution;
using Glassbox.Attribution.Approximation;
using Glassbox.Attribution.Gradient;
using Glassbox.Models;

namespace Glassbox.Workflow.Methods;

/// <summary>Catalog entries of the gradient family, and the noise tunnel the CLI wraps around any method.</summary>
public static class GradientMethods
{
    /// <summary>The entries.</summary>
    public static IReadOnlyList<MethodEntry> Entries { get; } =
    [
        new("saliency", "gradient", "Saliency: |∂f/∂x| (Simonyan et al. 2014), as Captum Saliency",
            MethodRequirement.Gradients, false, ["--abs", "--internal-batch-size", "--output"],
            (model, a) => new Saliency(model, new SaliencyOptions(a.Abs ?? true, a.Output, a.InternalBatchSize ?? 64))),
        new("input-x-gradient", "gradient", "Input × gradient: x ⊙ ∂f/∂x (Shrikumar et al. 2016), as Captum InputXGradient",
            MethodRequirement.Gradients, false, ["--internal-batch-size", "--output"],
            (model, a) => new InputXGradient(model, new InputXGradientOptions(a.Output, a.InternalBatchSize ?? 64))),
        new("integrated-gradients", "gradient", "Integrated gradients: (x − b) ⊙ ∫∇f along the path (Sundararajan et al. 2017), as Captum",
            MethodRequirement.Gradients, false, ["--baselines", "--n-steps", "--integration-method", "--internal-batch-size", "--output"],
            (model, a) => new IntegratedGradients(model, new IntegratedGradientsOptions(
                a.NSteps ?? 50,
                a.IntegrationMethod is null ? IntegrationMethod.GaussLegendre : IntegrationMethods.Parse(a.IntegrationMethod),
                a.InternalBatchSize, a.Output, a.Baselines))),
        new("gradient-shap", "gradient", "GradientSHAP: expected (x − b) ⊙ ∇f at random points towards random baselines (Lundberg & Lee 2017), as Captum",
            MethodRequirement.Gradients, true, ["--baselines", "--n-samples", "--stdevs", "--internal-batch-size", "--output", "--seed"],
            (model, a) => new GradientShap(model, a.Baselines ?? Baseline.Zeros,
                new GradientShapOptions(a.NSamples ?? 5, a.Stdevs ?? 0.0, a.Output, a.InternalBatchSize ?? 64, a.Seed))),
        new("gradient-explainer", "gradient", "Expected gradients over a background (Erion et al. 2021), as shap.GradientExplainer",
            MethodRequirement.Gradients, true, ["--baselines", "--n-samples", "--local-smoothing", "--internal-batch-size", "--output", "--seed"],
            (model, a) => new GradientExplainer(model, PropagationMethods.Background(model, a),
                new GradientExplainerOptions(a.NSamples ?? 200, a.LocalSmoothing ?? 0.0, a.Output, a.InternalBatchSize ?? 50, a.Seed))),
    ];

    /// <summary>
    /// Wraps <paramref name="inner"/> in Captum's noise tunnel (--nt-type smoothgrad|smoothgrad_sq|vargrad, --nt-samples,
    /// --nt-stdevs, --seed); returns <paramref name="inner"/> unchanged when no --nt-type was given.
    /// </summary>
    public static IAttributionMethod WithNoiseTunnel(IAttributionMethod inner, MethodArguments a)
    {
        if (a.NtType is null) return inner;
        return new NoiseTunnel(inner, new NoiseTunnelOptions(
            NoiseTunnel.ParseType(a.NtType), a.NtSamples ?? 5, a.NtStdevs ?? 1.0, null, a.Seed));
    }
}

using Glassbox.Attribution.Gradient;
using Glassbox.Models;
using TorchSharp;

namespace Glassbox.Attribution.Catalog;

/// <summary>Catalog entries of the gradient family (Attribution/Gradient).</summary>
public static class GradientMethods
{
    /// <summary>The entries.</summary>
    public static IReadOnlyList<MethodEntry> Entries { get; } =
    [
        MethodEntry.Of<SaliencyOptions>("saliency", "gradient", "Saliency: |∂f/∂x| (Simonyan et al. 2014), as Captum Saliency",
            MethodRequirement.Gradients, (m, o, _) => new Saliency(m, o), (_, c) => c.Backward(1)),
        MethodEntry.Of<InputXGradientOptions>("input-x-gradient", "gradient", "Input × gradient: x ⊙ ∂f/∂x (Shrikumar et al. 2016), as Captum InputXGradient",
            MethodRequirement.Gradients, (m, o, _) => new InputXGradient(m, o), (_, c) => c.Backward(1)),
        MethodEntry.Of<IntegratedGradientsOptions>("integrated-gradients", "gradient", "Integrated gradients: (x − b) ⊙ ∫∇f along the path (Sundararajan et al. 2017), as Captum",
            MethodRequirement.Gradients, (m, o, _) => new IntegratedGradients(m, o), (o, c) => c.Backward(o.NSteps)),
        MethodEntry.Of<GradientShapOptions>("gradient-shap", "gradient", "GradientSHAP: expected (x − b) ⊙ ∇f at random points towards random baselines (Lundberg & Lee 2017), as Captum",
            MethodRequirement.Gradients, (m, o, b) => new GradientShap(m, b ?? Baseline.Zeros, o), (o, c) => c.Backward(o.NSamples), usesBaselineDistribution: true),
        MethodEntry.Of<GradientExplainerOptions>("gradient-explainer", "gradient", "Expected gradients over a background (Erion et al. 2021), as shap.GradientExplainer",
            MethodRequirement.Gradients, (m, o, b) => new GradientExplainer(m, Background(m, b), o), (o, c) => c.Backward(o.NSamples), usesBaselineDistribution: true),
    ];

    /// <summary>The baseline distribution as B×C×H×W on the model's device (zeros when none is given).</summary>
    internal static torch.Tensor Background(IImageModel model, Baseline? baselines)
    {
        var i = model.Info;
        using var probe = torch.zeros(1, i.Channels, i.Height, i.Width, device: model.Device);
        return (baselines ?? Baseline.Zeros).Distribution(probe);
    }
}

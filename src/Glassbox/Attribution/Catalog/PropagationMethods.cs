using Glassbox.Attribution.Propagation;

namespace Glassbox.Attribution.Catalog;

/// <summary>Catalog entries of the propagation family (Attribution/Propagation).</summary>
public static class PropagationMethods
{
    /// <summary>The entries.</summary>
    public static IReadOnlyList<MethodEntry> Entries { get; } =
    [
        MethodEntry.Of<DeepLiftOptions>("deep-lift", "propagation", "DeepLIFT rescale rule against one baseline per input (Shrikumar et al. 2017), as Captum DeepLift; Σφ = f(x) − f(b)",
            MethodRequirement.Layers, (m, o, _) => new DeepLift(m, o), (_, c) => c.Backward(2)),
        MethodEntry.Of<DeepLiftShapOptions>("deep-lift-shap", "propagation", "DeepLIFT averaged over a baseline distribution (Lundberg & Lee 2017), as Captum DeepLiftShap; Σφ = f(x) − E[f(b)]",
            MethodRequirement.Layers, (m, o, b) => new DeepLiftShap(m, GradientMethods.Background(m, b), o), (_, c) => c.Backward(2 * c.Baselines), usesBaselineDistribution: true),
        MethodEntry.Of<DeepShapOptions>("deep-shap", "propagation", "DeepSHAP: DeepLIFT rescale averaged over a background (Lundberg & Lee 2017), as shap.DeepExplainer",
            MethodRequirement.Layers, (m, o, b) => new DeepShap(m, GradientMethods.Background(m, b), o), (_, c) => c.Backward(2 * c.Baselines), usesBaselineDistribution: true),
        MethodEntry.Of<LrpOptions>("lrp", "propagation", "Layer-wise relevance propagation with Zennit-style composites of ε, γ, z⁺, αβ, flat, w² and z^B rules (Bach et al. 2015; Montavon et al. 2019)",
            MethodRequirement.Layers, (m, o, _) => new Lrp(m, o), (_, c) => c.Backward(1)),
        MethodEntry.Of<GuidedBackpropOptions>("guided-backprop", "propagation", "Guided backpropagation (Springenberg et al. 2015), as Captum GuidedBackprop",
            MethodRequirement.Layers, (m, o, _) => new GuidedBackprop(m, o), (_, c) => c.Backward(1)),
        MethodEntry.Of<DeconvolutionOptions>("deconvolution", "propagation", "Deconvolution (Zeiler & Fergus 2014), as Captum Deconvolution",
            MethodRequirement.Layers, (m, o, _) => new Deconvolution(m, o), (_, c) => c.Backward(1)),
    ];
}

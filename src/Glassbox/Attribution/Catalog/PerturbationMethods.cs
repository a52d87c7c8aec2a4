using Glassbox.Attribution.Perturbation;

namespace Glassbox.Attribution.Catalog;

/// <summary>Catalog entries of the perturbation family (Attribution/Perturbation).</summary>
public static class PerturbationMethods
{
    /// <summary>The entries.</summary>
    public static IReadOnlyList<MethodEntry> Entries { get; } =
    [
        MethodEntry.Of<OcclusionOptions>("occlusion", "perturbation",
            "Occlusion: mean output drop when sliding windows are replaced by the baseline (Zeiler & Fergus 2014), as Captum's Occlusion",
            MethodRequirement.Forward, (m, o, _) => new Occlusion(m, o),
            (o, c) => c.Forward(Occlusion.Geometry(o.SlidingWindowShapes, o.Strides, c.Info.Channels, c.Info.Height, c.Info.Width).Positions.Aggregate(1, (p, q) => p * q) + 1)),
        MethodEntry.Of<FeatureAblationOptions>("feature-ablation", "perturbation",
            "Feature ablation: output drop when each feature is replaced by the baseline, as Captum's FeatureAblation",
            MethodRequirement.Forward, (m, o, _) => new FeatureAblation(m, o),
            (o, c) => c.Forward((o.FeatureMask is null ? c.Elements : c.Features(o.FeatureMask)) + 1)),
        MethodEntry.Of<LimeOptions>("lime", "perturbation", "LIME (Ribeiro et al. 2016): weighted Lasso on binary feature samples, as Captum Lime",
            MethodRequirement.Forward, (m, o, _) => new Lime(m, o), (o, c) => c.Forward(o.NSamples)),
        MethodEntry.Of<RiseOptions>("rise", "perturbation", "RISE (Petsiuk et al. 2018): class scores of randomly masked images, weighted by the masks",
            MethodRequirement.Forward, (m, o, _) => new Rise(m, o), (o, c) => c.Forward(o.NSamples)),
    ];
}

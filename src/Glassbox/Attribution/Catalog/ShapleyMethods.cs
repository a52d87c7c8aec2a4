using Glassbox.Attribution.Shapley;

namespace Glassbox.Attribution.Catalog;

/// <summary>Catalog entries of the Shapley family (Attribution/Shapley).</summary>
public static class ShapleyMethods
{
    /// <summary>The entries.</summary>
    public static IReadOnlyList<MethodEntry> Entries { get; } =
    [
        MethodEntry.Of<ShapleyValueSamplingOptions>("shapley-value-sampling", "shapley",
            "Shapley value sampling over random feature permutations (Castro et al. 2009), as Captum's ShapleyValueSampling",
            MethodRequirement.Forward, (m, o, _) => new ShapleyValueSampling(m, o),
            (o, c) => c.Features(o.FeatureMask) is > 0 and var f ? c.Forward((double)o.NSamples * f) : PassCost.Unknown),
        MethodEntry.Of<KernelShapOptions>("kernel-shap", "shapley",
            "Kernel SHAP: Shapley-kernel weighted regression over feature coalitions (Lundberg & Lee 2017), as shap.KernelExplainer",
            MethodRequirement.Forward, (m, o, _) => new KernelShap(m, o), (o, c) =>
            {
                int f = c.Features(o.FeatureMask);
                if (f <= 0) return PassCost.Unknown;
                double all = f >= 60 ? double.MaxValue : Math.Pow(2, f) - 2;
                return c.Forward(Math.Min(o.NSamples ?? 2.0 * f + 2048, all) * c.Count(o.Baselines));
            }),
        MethodEntry.Of<PartitionShapOptions>("partition-shap", "shapley",
            "Partition SHAP: Owen values over a hierarchical image partition, as shap.PartitionExplainer with shap.maskers.Image",
            MethodRequirement.Forward, (m, o, _) => new PartitionShap(m, o), (o, c) => c.Forward(o.MaxEvals)),
    ];
}

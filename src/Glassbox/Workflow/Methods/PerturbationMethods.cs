using Glassbox.Attribution.Perturbation;
using Glassbox.Attribution.Shapley;

namespace Glassbox.Workflow.Methods;

/// <summary>Catalog entries of the perturbation family (occlusion, feature ablation) and of forward-only Shapley sampling.</summary>
public static class PerturbationMethods
{
    /// <summary>The entries.</summary>
    public static IReadOnlyList<MethodEntry> Entries { get; } =
    [
        new("occlusion", "perturbation",
            "Occlusion: mean output drop when sliding windows are replaced by the baseline (Zeiler & Fergus 2014), as Captum's Occlusion",
            MethodRequirement.Forward, false, ["--sliding-window", "--strides", "--baselines", "--perturbations-per-eval", "--output"],
            (model, a) => new Occlusion(model, new OcclusionOptions(a.SlidingWindow, a.Strides, a.Baselines,
                a.PerturbationsPerEval ?? 32, a.Output))),
        new("feature-ablation", "perturbation",
            "Feature ablation: output drop when each feature is replaced by the baseline, as Captum's FeatureAblation",
            MethodRequirement.Forward, false, ["--feature-mask", "--baselines", "--perturbations-per-eval", "--output"],
            (model, a) => new FeatureAblation(model, new FeatureAblationOptions(a.FeatureMask, a.Baselines,
                a.PerturbationsPerEval ?? 32, a.Output))),
        new("shapley-value-sampling", "shapley",
            "Shapley value sampling over random feature permutations (Castro et al. 2009), as Captum's ShapleyValueSampling",
            MethodRequirement.Forward, false, ["--feature-mask", "--n-samples", "--baselines", "--perturbations-per-eval", "--seed", "--output"],
            (model, a) => new ShapleyValueSampling(model, new ShapleyValueSamplingOptions(a.FeatureMask, a.NSamples ?? 25, a.Baselines,
                a.PerturbationsPerEval ?? 32, a.Seed, Output: a.Output))),
        new("kernel-shap", "shapley",
            "Kernel SHAP: Shapley-kernel weighted regression over feature coalitions (Lundberg & Lee 2017), as shap.KernelExplainer",
            MethodRequirement.Forward, false, ["--feature-mask", "--n-samples", "--baselines", "--perturbations-per-eval", "--seed", "--output"],
            (model, a) => new KernelShap(model, new KernelShapOptions(a.FeatureMask, a.NSamples, a.Baselines,
                a.PerturbationsPerEval ?? 32, a.Seed, Output: a.Output))),
    ];
}

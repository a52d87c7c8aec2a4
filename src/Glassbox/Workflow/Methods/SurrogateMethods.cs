using Glassbox.Attribution.Perturbation;
using Glassbox.Attribution.Shapley;

namespace Glassbox.Workflow.Methods;

/// <summary>Catalog entries of LIME and Partition SHAP (surrogate and hierarchical Shapley methods).</summary>
public static class SurrogateMethods
{
    /// <summary>The entries.</summary>
    public static IReadOnlyList<MethodEntry> Entries { get; } =
    [
        new("lime", "perturbation", "LIME (Ribeiro et al. 2016): weighted Lasso on binary feature samples, as Captum Lime",
            MethodRequirement.Forward, false, ["--feature-mask", "--n-samples", "--baselines", "--perturbations-per-eval", "--alpha", "--kernel-width", "--seed", "--output"],
            (model, a) => new Lime(model, new LimeOptions(a.FeatureMask, a.NSamples ?? 25, a.Baselines, a.Alpha ?? 0.01, a.KernelWidth ?? 1.0,
                a.PerturbationsPerEval ?? 32, a.Seed, a.Output))),
        new("partition-shap", "shapley", "Partition SHAP: Owen values over a hierarchical image partition, as shap.PartitionExplainer with shap.maskers.Image",
            MethodRequirement.Forward, false, ["--max-evals", "--masker", "--perturbations-per-eval", "--seed", "--output"],
            (model, a) => new PartitionShap(model, new PartitionShapOptions(a.MaxEvals ?? 500, a.Masker ?? "blur(128,128)", a.PerturbationsPerEval ?? 32, a.Seed, a.Output))),
    ];
}

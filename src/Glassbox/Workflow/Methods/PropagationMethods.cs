using Glassbox.Attribution;
using Glassbox.Attribution.Propagation;
using Glassbox.Models;
using TorchSharp;

namespace Glassbox.Workflow.Methods;

/// <summary>Catalog entries of the propagation family.</summary>
public static class PropagationMethods
{
    /// <summary>The entries.</summary>
    public static IReadOnlyList<MethodEntry> Entries { get; } =
    [
        new("deep-lift", "propagation", "DeepLIFT rescale rule against one baseline per input (Shrikumar et al. 2017), as Captum DeepLift; Σφ = f(x) − f(b)",
            MethodRequirement.Layers, false, ["--baselines", "--internal-batch-size", "--output"],
            (model, a) => new DeepLift(model, new DeepLiftOptions(a.Baselines, a.Output, a.InternalBatchSize ?? 64))),
        new("deep-lift-shap", "propagation", "DeepLIFT averaged over a baseline distribution (Lundberg & Lee 2017), as Captum DeepLiftShap; Σφ = f(x) − E[f(b)]",
            MethodRequirement.Layers, true, ["--baselines", "--internal-batch-size", "--output"],
            (model, a) => new DeepLiftShap(model, Background(model, a), new DeepLiftShapOptions(a.Output, a.InternalBatchSize ?? 200))),
        new("deep-shap", "propagation", "DeepSHAP: DeepLIFT rescale averaged over a background (Lundberg & Lee 2017), as shap.DeepExplainer",
            MethodRequirement.Layers, true, ["--baselines", "--internal-batch-size", "--output"],
            (model, a) => new DeepShap(model, Background(model, a), new DeepShapOptions(a.Output, a.InternalBatchSize ?? 200))),
        new("lrp", "propagation", "Layer-wise relevance propagation with composites of ε, γ, z⁺ and α1β0 rules (Bach et al. 2015; Montavon et al. 2019)",
            MethodRequirement.Layers, false, ["--composite", "--epsilon", "--gamma", "--internal-batch-size"],
            (model, a) => a.Output == OutputSpace.Probabilities
                ? throw new GlassboxException("LRP explains the logits (relevance starts at the target logit); drop --output probabilities.")
                : new Lrp(model, new LrpOptions(a.Composite ?? "epsilon", a.Epsilon ?? 1e-9, a.Gamma ?? 0.25, a.InternalBatchSize ?? 64))),
        new("guided-backprop", "propagation", "Guided backpropagation (Springenberg et al. 2015), as Captum GuidedBackprop",
            MethodRequirement.Layers, false, ["--internal-batch-size", "--output"],
            (model, a) => new GuidedBackprop(model, new GuidedBackpropOptions(a.Output, a.InternalBatchSize ?? 64))),
        new("deconvolution", "propagation", "Deconvolution (Zeiler & Fergus 2014), as Captum Deconvolution",
            MethodRequirement.Layers, false, ["--internal-batch-size", "--output"],
            (model, a) => new Deconvolution(model, new DeconvolutionOptions(a.Output, a.InternalBatchSize ?? 64))),
    ];

    /// <summary>The baseline distribution as B×C×H×W on the model's device.</summary>
    internal static torch.Tensor Background(IImageModel model, MethodArguments a)
    {
        var i = model.Info;
        var baselines = a.Baselines ?? Baseline.Zeros;
        using var probe = torch.zeros(1, i.Channels, i.Height, i.Width, device: model.Device);
        return baselines.Distribution(probe);
    }
}

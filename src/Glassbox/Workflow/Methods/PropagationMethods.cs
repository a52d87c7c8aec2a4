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
        new("deep-shap", "propagation", "DeepSHAP: DeepLIFT rescale averaged over a background (Lundberg & Lee 2017), as shap.DeepExplainer",
            MethodRequirement.Layers, true, ["--baselines", "--internal-batch-size", "--output"],
            (model, a) => new DeepShap(model, Background(model, a), new DeepShapOptions(a.Output, a.InternalBatchSize ?? 200))),
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

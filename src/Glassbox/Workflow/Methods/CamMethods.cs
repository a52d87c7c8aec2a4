using Glassbox.Attribution.Cam;

namespace Glassbox.Workflow.Methods;

/// <summary>Catalog entries of the CAM family.</summary>
public static class CamMethods
{
    /// <summary>The entries.</summary>
    public static IReadOnlyList<MethodEntry> Entries { get; } =
    [
        new("grad-cam", "cam", "Grad-CAM (Selvaraju et al. 2017), as Captum LayerGradCam + LayerAttribution.interpolate",
            MethodRequirement.Layers, false, ["--layer", "--interpolation", "--relu-attributions", "--internal-batch-size", "--output"],
            (model, a) => new GradCam(model, new GradCamOptions(a.Layer ?? "last-conv", a.ReluAttributions ?? false,
                CamLayers.ParseInterpolation(a.Interpolation), a.Output, a.InternalBatchSize ?? 64))),
        new("grad-cam-plus-plus", "cam", "Grad-CAM++ (Chattopadhyay et al. 2018)",
            MethodRequirement.Layers, false, ["--layer", "--interpolation", "--internal-batch-size", "--output"],
            (model, a) => new GradCamPlusPlus(model, new GradCamPlusPlusOptions(a.Layer ?? "last-conv", CamLayers.ParseInterpolation(a.Interpolation), a.Output, a.InternalBatchSize ?? 64))),
        new("score-cam", "cam", "Score-CAM (Wang et al. 2020): channels weighted by the scores of the images they mask",
            MethodRequirement.Layers, false, ["--layer", "--interpolation", "--internal-batch-size", "--output"],
            (model, a) => new ScoreCam(model, new ScoreCamOptions(a.Layer ?? "last-conv", CamLayers.ParseInterpolation(a.Interpolation), a.Output, a.InternalBatchSize ?? 64))),
        new("guided-grad-cam", "cam", "Guided Grad-CAM (Selvaraju et al. 2017): guided backpropagation × upsampled Grad-CAM, as Captum GuidedGradCam",
            MethodRequirement.Layers, false, ["--layer", "--interpolation", "--internal-batch-size", "--output"],
            (model, a) => new GuidedGradCam(model, new GuidedGradCamOptions(a.Layer ?? "last-conv", CamLayers.ParseInterpolation(a.Interpolation), a.Output, a.InternalBatchSize ?? 64))),
    ];
}

using Glassbox.Attribution.Cam;

namespace Glassbox.Attribution.Catalog;

/// <summary>Catalog entries of the CAM family (Attribution/Cam).</summary>
public static class CamMethods
{
    /// <summary>The entries.</summary>
    public static IReadOnlyList<MethodEntry> Entries { get; } =
    [
        MethodEntry.Of<GradCamOptions>("grad-cam", "cam", "Grad-CAM (Selvaraju et al. 2017), as Captum LayerGradCam + LayerAttribution.interpolate",
            MethodRequirement.Layers, (m, o, _) => new GradCam(m, o), (_, c) => c.Backward(1)),
        MethodEntry.Of<GradCamPlusPlusOptions>("grad-cam-plus-plus", "cam", "Grad-CAM++ (Chattopadhyay et al. 2018)",
            MethodRequirement.Layers, (m, o, _) => new GradCamPlusPlus(m, o), (_, c) => c.Backward(1)),
        MethodEntry.Of<ScoreCamOptions>("score-cam", "cam", "Score-CAM (Wang et al. 2020): channels weighted by the scores of the images they mask",
            MethodRequirement.Layers, (m, o, _) => new ScoreCam(m, o),
            (o, c) => c.Model is null ? PassCost.Unknown : c.Forward(new CamLayers(c.Model, o.Layer, "Score-CAM").MapChannels + 1)),
        MethodEntry.Of<GuidedGradCamOptions>("guided-grad-cam", "cam", "Guided Grad-CAM (Selvaraju et al. 2017): guided backpropagation × upsampled Grad-CAM, as Captum GuidedGradCam",
            MethodRequirement.Layers, (m, o, _) => new GuidedGradCam(m, o), (_, c) => c.Backward(2)),
    ];
}

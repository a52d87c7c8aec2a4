using Glassbox.Attribution.Cam;
using Xunit.Abstractions;
using static Glassbox.Tests.Reference.ReferenceData;

namespace Glassbox.Tests.Reference;

/// <summary>
/// Grad-CAM against Captum's <c>LayerGradCam</c> on the last Conv2d followed by <c>LayerAttribution.interpolate</c>
/// (Sequential spec, the model object Captum used). Glassbox returns the map at the input size only, so the upsampled
/// maps (nearest and bilinear, with and without ReLU) are compared.
/// </summary>
public class CamParityTests(ITestOutputHelper log)
{
    [Theory]
    [InlineData("small_cnn", false, CamInterpolation.Nearest, "captum_gradcam_up_nearest")]
    [InlineData("small_cnn", false, CamInterpolation.Bilinear, "captum_gradcam_up_bilinear")]
    [InlineData("small_cnn", true, CamInterpolation.Nearest, "captum_gradcam_relu_up_nearest")]
    [InlineData("small_cnn", true, CamInterpolation.Bilinear, "captum_gradcam_relu_up_bilinear")]
    [InlineData("mixed_cnn", false, CamInterpolation.Nearest, "captum_gradcam_up_nearest")]
    [InlineData("mixed_cnn", false, CamInterpolation.Bilinear, "captum_gradcam_up_bilinear")]
    [InlineData("mixed_cnn", true, CamInterpolation.Nearest, "captum_gradcam_relu_up_nearest")]
    [InlineData("mixed_cnn", true, CamInterpolation.Bilinear, "captum_gradcam_relu_up_bilinear")]
    public void GradCam_UpsampledMap_MatchesCaptum(string model, bool relu, CamInterpolation mode, string file)
    {
        using var m = Spec(model);
        var e = new GradCam(m, new GradCamOptions(Layer: "last-conv", ReluAttributions: relu, Interpolation: mode))
            .Attribute(Inputs(), TargetSelectionFromFile());
        AssertRelativeL2(log, $"{model} {file}", e.Values, Floats(model, file));
    }
}

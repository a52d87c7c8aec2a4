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

    /// <summary>
    /// The raw 6×6 LayerGradCam map: nearest upsampling 6 → 8 reads source ⌊i·6/8⌋, so output rows/columns
    /// 0, 2, 3, 4, 6, 7 hold raw cells 0…5 unchanged, and Glassbox's nearest map yields the whole raw map.
    /// </summary>
    [Theory]
    [InlineData("small_cnn", false, "captum_gradcam")]
    [InlineData("small_cnn", true, "captum_gradcam_relu")]
    [InlineData("mixed_cnn", false, "captum_gradcam")]
    [InlineData("mixed_cnn", true, "captum_gradcam_relu")]
    public void GradCam_RawLayerMap_MatchesCaptum(string model, bool relu, string file)
    {
        using var m = Spec(model);
        var e = new GradCam(m, new GradCamOptions(Layer: "last-conv", ReluAttributions: relu, Interpolation: CamInterpolation.Nearest))
            .Attribute(Inputs(), TargetSelectionFromFile());
        int[] source = [0, 2, 3, 4, 6, 7];
        var raw = new float[e.Count * 36];
        for (int n = 0; n < e.Count; n++)
        {
            var map = e.Map(n, 0);
            for (int r = 0; r < 6; r++)
                for (int c = 0; c < 6; c++) raw[n * 36 + r * 6 + c] = map[source[r] * 8 + source[c]];
        }
        Assert.Equal([5, 1, 6, 6], Read(model, file).Shape);
        AssertRelativeL2(log, $"{model} {file} (raw 6×6)", raw, Floats(model, file));
    }
}

using Glassbox.Attribution.Catalog;
using Glassbox.Models.Sources;
using Glassbox.Tests.Data;

namespace Glassbox.Tests.Models.Sources;

/// <summary>TorchScript graphs are opaque in TorchSharp 0.107: layer methods refuse and print the ONNX export that works.</summary>
public class TorchScriptRefusalTests
{
    [Theory]
    [InlineData("deep-shap")]
    [InlineData("lrp")]
    [InlineData("grad-cam")]
    public void LayerMethods_OnTorchScript_RefuseWithTheOnnxExportCommand(string method)
    {
        using var model = ModelLoader.Load(Path.Combine(RepoPaths.Root, "tests", "fixtures", "models", "small_cnn.pt"));
        var e = Assert.Throws<GlassboxException>(() => MethodCatalog.CheckModel(MethodCatalog.Default.Get(method), model));
        Assert.Contains("torch.onnx.export(model.eval(), torch.rand(1, C, H, W), \"model.onnx\"", e.Message);
        Assert.True(MethodCatalog.CanRun(MethodCatalog.Default.Get("integrated-gradients"), model));
    }
}

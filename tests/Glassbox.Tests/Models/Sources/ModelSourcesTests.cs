using Glassbox.Attribution;
using Glassbox.Attribution.Common;
using Glassbox.Attribution.Gradient;
using Glassbox.Attribution.Perturbation;
using Glassbox.Attribution.Propagation;
using Glassbox.IO;
using Glassbox.Models;
using Glassbox.Models.Sources;
using Glassbox.Tests.Data;
using Glassbox.Tests.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Models.Sources;

/// <summary>Fixtures made by tools/fixtures/make_fixtures.py with PyTorch 1.13 (see tests/fixtures/models/README.md).</summary>
public class ModelSourcesTests
{
    private static string Fixture(string name) => Path.Combine(RepoPaths.Root, "tests", "fixtures", "models", name);

    private static Tensor Npy(string name)
    {
        var a = NpyFile.Read(Fixture(name));
        return torch.tensor(a.ToFloat32(), a.Shape.Select(d => (long)d).ToArray());
    }

    private static readonly long[] Targets = [0, 1, 2, 0, 1];

    private static void AssertClose(Tensor expected, Tensor actual, double tol)
    {
        Assert.Equal(expected.shape, actual.shape);
        double err = (expected - actual).abs().max().item<float>();
        Assert.True(err <= tol, $"max |difference| {err:E2} > {tol:E0}");
    }

    [Theory]
    [InlineData("small_cnn")]
    [InlineData("mixed_cnn")]
    public void SpecAndTorchScript_GiveThePyTorchLogitsAndGradients(string name)
    {
        var x = Npy("inputs.npy");
        var logits = Npy(name + "_logits.npy");
        var grads = Npy(name + "_grads.npy");
        using var spec = ModelLoader.Load(Fixture(name + ".json"));
        using var script = ModelLoader.Load(Fixture(name + ".pt"));
        Assert.Equal(ModelKind.SequentialSpec, spec.Kind);
        Assert.Equal(ModelKind.TorchScript, script.Kind);
        foreach (var m in new[] { spec, script })
        {
            using (torch.no_grad()) AssertClose(logits, m.Forward(x), 1e-5);
            var (g, _) = TargetGradients.Compute(m, x, Targets, 64);
            AssertClose(grads, g, 1e-5);
        }
    }

    [Fact]
    public void SameModelThreeWays_GivesTheSameAttributions()
    {
        // Built-in: the same layers built in C# and filled from the same safetensors.
        using var spec = (ImageClassifier)ModelLoader.Load(Fixture("small_cnn.json"));
        var info = new ModelInfo("custom", 1, 8, 8, ["a", "b", "c"]);
        using var builtIn = new ImageClassifier(info, nn.Sequential(
            ("0", nn.Conv2d(1, 4, 3)), ("1", nn.ReLU()), ("2", nn.MaxPool2d(2)), ("3", nn.Flatten()), ("4", nn.Linear(36, 3))));
        Glassbox.Checkpoints.Checkpoint.LoadWeights(builtIn, Glassbox.Checkpoints.SafeTensors.Read(Fixture("small_cnn.safetensors")), "fixture");
        using var script = ModelLoader.Load(Fixture("small_cnn.pt"));
        var x = Npy("inputs.npy");
        var targets = TargetSelection.PerInput(0, 1, 2, 0, 1);
        var ig = new[] { builtIn, (IImageModel)spec, script }.Select(m => new IntegratedGradients(m).Attribute(x, targets)).ToArray();
        var sal = new[] { builtIn, (IImageModel)spec, script }.Select(m => new Saliency(m).Attribute(x, targets)).ToArray();
        foreach (var set in new[] { ig, sal })
            for (int j = 1; j < 3; j++)
                for (int i = 0; i < set[0].Values.Length; i++)
                    Assert.Equal(set[0].Values[i], set[j].Values[i], 1e-5);
    }

    [Fact]
    public void Onnx_GivesThePyTorchLogits_RunsPerturbationMethods_AndRefusesGradients()
    {
        var x = Npy("inputs.npy");
        using var onnx = ModelLoader.Load(Fixture("mixed_cnn.onnx"));
        Assert.Equal(ModelKind.Onnx, onnx.Kind);
        Assert.Equal(["a", "b", "c"], onnx.Info.ClassNames);
        AssertClose(Npy("mixed_cnn_logits.npy"), onnx.Forward(x), 1e-5);
        var e = new Occlusion(onnx, new OcclusionOptions(SlidingWindowShapes: [2, 2], Strides: [2])).Attribute(x, TargetSelection.AllClasses);
        Assert.Equal([5, 3, 1, 8, 8], e.Shape);
        using var spec = ModelLoader.Load(Fixture("mixed_cnn.json"));
        var expected = new Occlusion(spec, new OcclusionOptions(SlidingWindowShapes: [2, 2], Strides: [2])).Attribute(x, TargetSelection.AllClasses);
        for (int i = 0; i < e.Values.Length; i++) Assert.Equal(expected.Values[i], e.Values[i], 1e-4);
        var err = Assert.Throws<GlassboxException>(() => new Saliency(onnx).Attribute(x, TargetSelection.AllClasses));
        Assert.Contains("gradients", err.Message);
    }

    [Fact]
    public void TorchScript_HasNoLayers_AndPropagationMethodsRefuseIt()
    {
        using var script = ModelLoader.Load(Fixture("small_cnn.pt"));
        Assert.Null(script.Layers);
        var err = Assert.Throws<GlassboxException>(() => new DeepShap(script, torch.zeros(2, 1, 8, 8)).Explain(Npy("inputs.npy"), TargetSelection.AllClasses));
        Assert.Contains("layers are not visible", err.Message);
    }

    [Fact]
    public void DeepShapAndDeepLift_OnSpecModelWithBatchNormLeakyReluTanhAvgPool_Conserve()
    {
        using var spec = ModelLoader.Load(Fixture("mixed_cnn.json"));
        torch.manual_seed(3);
        var e = new DeepShap(spec, torch.rand(10, 1, 8, 8)).Explain(Npy("inputs.npy"), TargetSelection.AllClasses);
        Assert.Empty(e.AdditivityFailures());
        Assert.True(e.MaxAdditivityError < 1e-4, $"{e.MaxAdditivityError}");
        var d = new DeepLift(spec).Attribute(Npy("inputs.npy"), TargetSelection.AllClasses);
        Assert.Empty(d.AdditivityFailures());
    }

    private static string WriteSpec(TempDirectory dir, string layersJson, string? weights = "w.safetensors", string input = "{\"channels\": 1, \"height\": 8, \"width\": 8}")
    {
        if (weights is not null) File.Copy(Fixture("small_cnn.safetensors"), dir.File(weights), true);
        string path = dir.File("spec.json");
        File.WriteAllText(path, $"{{\"input\": {input}, \"classes\": 3, \"weights\": \"w.safetensors\", \"layers\": {layersJson}}}");
        return path;
    }

    private const string SmallLayers = "[{\"type\": \"conv2d\", \"in\": 1, \"out\": 4, \"kernel\": 3}, {\"type\": \"relu\"}, {\"type\": \"maxpool2d\", \"kernel\": 2}, {\"type\": \"flatten\"}, {\"type\": \"linear\", \"in\": 36, \"out\": 3}]";

    [Fact]
    public void SpecErrors_NameTheCulprit()
    {
        using var dir = new TempDirectory();
        // A missing weight: the spec adds a bias-free second linear layer whose weight is not in the file.
        var e1 = Assert.Throws<GlassboxException>(() => SequentialSpec.Load(WriteSpec(dir, SmallLayers.Replace("\"out\": 3}]", "\"out\": 3}, {\"type\": \"linear\", \"in\": 3, \"out\": 3, \"bias\": false}]"))));
        Assert.Contains("missing 5.weight", e1.Message);
        // An unexpected weight: the file's 4.bias has no place when the spec's linear layer has no bias.
        var e2 = Assert.Throws<GlassboxException>(() => SequentialSpec.Load(WriteSpec(dir, SmallLayers.Replace("\"out\": 3}]", "\"out\": 3, \"bias\": false}]"))));
        Assert.Contains("unexpected 4.bias", e2.Message);
        // A shape mismatch names the key and both shapes (8 conv channels → linear 72 inputs on a 3×3 map... 8·3·3 = 72).
        var e3 = Assert.Throws<GlassboxException>(() => SequentialSpec.Load(WriteSpec(dir, SmallLayers.Replace("\"out\": 4", "\"out\": 8").Replace("\"in\": 36", "\"in\": 72"))));
        Assert.Contains("'0.weight'", e3.Message);
        Assert.Contains("[4, 1, 3, 3]", e3.Message);
        var e4 = Assert.Throws<GlassboxException>(() => SequentialSpec.Load(WriteSpec(dir, SmallLayers.Replace("\"relu\"", "\"gelu\""))));
        Assert.Contains("layer 1 has unknown type 'gelu'", e4.Message);
        var e5 = Assert.Throws<GlassboxException>(() => SequentialSpec.Load(WriteSpec(dir, SmallLayers.Replace("\"in\": 36", "\"in\": 40"))));
        Assert.Contains("layer 4 (linear)", e5.Message);
        File.WriteAllText(dir.File("bad.json"), "{\"input\": {\"channels\": 1,\n \"height\": }");
        var e6 = Assert.Throws<GlassboxException>(() => SequentialSpec.Load(dir.File("bad.json")));
        Assert.Contains("line 2", e6.Message);
        using var empty = new TempDirectory();
        var e7 = Assert.Throws<GlassboxException>(() => SequentialSpec.Load(WriteSpec(empty, SmallLayers, weights: null)));
        Assert.Contains("weights", e7.Message);
    }

    [Fact]
    public void CorruptOrTruncatedFiles_GiveClearErrors()
    {
        using var dir = new TempDirectory();
        // Truncated weights.
        string spec = WriteSpec(dir, SmallLayers);
        var bytes = File.ReadAllBytes(dir.File("w.safetensors"));
        File.WriteAllBytes(dir.File("w.safetensors"), bytes[..(bytes.Length - 40)]);
        Assert.Contains("truncated", Assert.Throws<GlassboxException>(() => SequentialSpec.Load(spec)).Message);
        // A TorchScript file that is not one.
        File.WriteAllBytes(dir.File("m.pt"), File.ReadAllBytes(Fixture("small_cnn.pt"))[..500]);
        File.Copy(Fixture("small_cnn.json"), dir.File("m.json"));
        Assert.Contains("not a loadable TorchScript", Assert.Throws<GlassboxException>(() => ModelLoader.Load(dir.File("m.pt"))).Message);
        // A TorchScript file without its description.
        File.Copy(Fixture("small_cnn.pt"), dir.File("lonely.pt"));
        Assert.Contains("needs a description", Assert.Throws<GlassboxException>(() => ModelLoader.Load(dir.File("lonely.pt"))).Message);
        // A corrupt ONNX file.
        File.WriteAllBytes(dir.File("m.onnx"), File.ReadAllBytes(Fixture("small_cnn.onnx"))[..300]);
        Assert.Contains("not a valid ONNX model", Assert.Throws<GlassboxException>(() => ModelLoader.Load(dir.File("m.onnx"))).Message);
        // Anything else.
        File.WriteAllText(dir.File("m.txt"), "x");
        Assert.Contains("Pass a checkpoint folder", Assert.Throws<GlassboxException>(() => ModelLoader.Load(dir.File("m.txt"))).Message);
        Assert.Contains("does not exist", Assert.Throws<GlassboxException>(() => ModelLoader.Load(dir.File("missing.onnx"))).Message);
    }

    [Fact]
    public void TorchScript_WithWrongDescribedShape_IsRefused()
    {
        using var dir = new TempDirectory();
        File.Copy(Fixture("small_cnn.pt"), dir.File("m.pt"));
        File.WriteAllText(dir.File("m.json"), "{\"input\": {\"channels\": 1, \"height\": 8, \"width\": 8}, \"classes\": 5}");
        Assert.Contains("must return 1×5", Assert.Throws<GlassboxException>(() => ModelLoader.Load(dir.File("m.pt"))).Message);
    }
}

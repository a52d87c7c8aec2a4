using Glassbox.Checkpoints;
using Glassbox.Data;
using Glassbox.Models;
using Glassbox.Models.Sources;
using Glassbox.Tests.Data;
using Glassbox.Tests.IO;
using TorchSharp;

namespace Glassbox.Tests.Models;

/// <summary>NaN or infinite outputs are an error, never NaN probabilities and a silent "class 0" (GitHub issue 8).</summary>
public class NonFiniteOutputsTests
{
    private static string Fixture(string name) => Path.Combine(RepoPaths.Root, "tests", "fixtures", "models", name);

    private static ModelInfo Info => new("custom", 1, 4, 4, ["a", "b"]);

    [Fact]
    public void CheckOutputs_NaNOrInfinity_NamesTheImage_FiniteLogitsPass()
    {
        using var model = new ImageClassifier(Info, torch.nn.Sequential(("0", torch.nn.Flatten()), ("1", torch.nn.Linear(16, 2))));
        ModelCapabilities.CheckOutputs(model, torch.tensor(new float[] { 1, 2, 3, 4 }, [2, 2]));
        var e = Assert.Throws<GlassboxException>(() => ModelCapabilities.CheckOutputs(model, torch.tensor(new float[] { 1, 2, float.NaN, 4, 5, float.PositiveInfinity }, [3, 2])));
        Assert.Contains("NaN or infinite for 2 of 3 images (first: image 1)", e.Message);
        Assert.Contains("N×2", Assert.Throws<GlassboxException>(() => ModelCapabilities.CheckOutputs(model, torch.zeros(2, 3))).Message);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void NonFiniteMean_IsRefusedByValidate(float mean)
    {
        var info = new ModelInfo("custom", 1, 4, 4, ["a", "b"], [mean], [1f]);
        Assert.Contains("mean values must be finite", Assert.Throws<GlassboxException>(info.Validate).Message);
    }

    private static string Spec(TempDirectory dir, string normalization = "")
    {
        string path = dir.File("spec.json");
        File.WriteAllText(path, "{\"input\": {\"channels\": 1, \"height\": 8, \"width\": 8}, \"classes\": 3, \"weights\": \"w.safetensors\"" + normalization +
            ", \"layers\": [{\"type\": \"conv2d\", \"in\": 1, \"out\": 4, \"kernel\": 3}, {\"type\": \"relu\"}, {\"type\": \"maxpool2d\", \"kernel\": 2}, {\"type\": \"flatten\"}, {\"type\": \"linear\", \"in\": 36, \"out\": 3}]}");
        return path;
    }

    private static void WriteWeights(TempDirectory dir, Func<float, float> map)
    {
        var tensors = SafeTensors.Read(Fixture("small_cnn.safetensors"));
        var mapped = tensors.ToDictionary(kv => kv.Key, kv => new SafeTensor(kv.Value.Shape, kv.Value.Data.Select(map).ToArray()));
        using var fs = File.Create(dir.File("w.safetensors"));
        SafeTensors.Write(fs, mapped);
    }

    [Fact]
    public void Spec_WithOverflowingMean_IsRefusedAtLoad()
    {
        using var dir = new TempDirectory();
        WriteWeights(dir, v => v);
        var e = Assert.Throws<GlassboxException>(() => SequentialSpec.Load(Spec(dir, ", \"normalization\": {\"mean\": [1e39], \"std\": [1]}")));
        Assert.Contains("mean values must be finite", e.Message);
    }

    [Fact]
    public void Spec_WithHugeWeights_IsRefusedAtLoad_AndNaNWeightsToo()
    {
        using var dir = new TempDirectory();
        WriteWeights(dir, v => v >= 0 ? 3e38f : -3e38f);
        var e = Assert.Throws<GlassboxException>(() => SequentialSpec.Load(Spec(dir)));
        Assert.Contains("cannot be used: on a plain gray image", e.Message);
        Assert.Contains("NaN or infinite", e.Message);

        WriteWeights(dir, v => float.NaN);
        Assert.Contains("contains NaN or infinite values", Assert.Throws<GlassboxException>(() => SequentialSpec.Load(Spec(dir))).Message);
    }

    [Fact]
    public void Checkpoint_WithNaNMeanInItsJson_IsRefused()
    {
        using var dir = new TempDirectory();
        using (var model = new ImageClassifier(new ModelInfo(Architecture.PooledCnn, 1, 28, 28, MnistFormat.DigitClassNames.ToArray(), [0.5f], [0.25f])))
            Checkpoint.Save(dir.File("ckpt"), model);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(dir.File("ckpt/model.json")))!;
        Assert.Equal(0.5f, json["model"]!["mean"]![0]!.GetValue<float>());
        json["model"]!["mean"]![0] = "NaN";
        File.WriteAllText(dir.File("ckpt/model.json"), json.ToJsonString());
        Assert.Contains("mean values must be finite", Assert.Throws<GlassboxException>(() => Checkpoint.Load(dir.File("ckpt"))).Message);
    }
}

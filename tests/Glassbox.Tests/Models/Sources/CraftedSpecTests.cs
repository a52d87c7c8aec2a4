using System.Text.Json.Nodes;
using Glassbox.Checkpoints;
using Glassbox.Data;
using Glassbox.Models;
using Glassbox.Models.Sources;
using Glassbox.Tests.Data;
using Glassbox.Tests.IO;

namespace Glassbox.Tests.Models.Sources;

/// <summary>Crafted specs and checkpoint descriptions (GitHub issue 8): refused with one clear message, before libtorch allocates.</summary>
public class CraftedSpecTests
{
    private static string Fixture(string name) => Path.Combine(RepoPaths.Root, "tests", "fixtures", "models", name);

    private static GlassboxException LoadSpec(string json)
    {
        using var dir = new TempDirectory();
        File.Copy(Fixture("small_cnn.safetensors"), dir.File("w.safetensors"));
        File.WriteAllText(dir.File("spec.json"), json);
        return Assert.Throws<GlassboxException>(() => SequentialSpec.Load(dir.File("spec.json")));
    }

    private static string Spec(string layers, string extra = "")
        => "{\"input\": {\"channels\": 1, \"height\": 8, \"width\": 8}, \"classes\": 3, \"weights\": \"w.safetensors\"" + extra + ", \"layers\": " + layers + "}";

    [Fact]
    public void DuplicateKeys_AreRefused_NamingTheKeyAndWhere()
    {
        Assert.Contains("key \"classes\" appears twice in the top-level object", LoadSpec(Spec("[{\"type\": \"flatten\"}]", ", \"classes\": 4")).Message);
        var e = LoadSpec(Spec("[{\"type\": \"flatten\"}, {\"type\": \"linear\", \"in\": 64, \"out\": 3, \"out\": 5}]"));
        Assert.Contains("key \"out\" appears twice in layers[1]", e.Message);
        Assert.Contains("key \"height\" appears twice in input", LoadSpec("{\"input\": {\"channels\": 1, \"height\": 8, \"height\": 9, \"width\": 8}, \"classes\": 3, \"layers\": []}").Message);
    }

    [Fact]
    public void HugeLinearLayer_IsRefusedBeforeAllocating_WithItsParameterCount()
    {
        var e = LoadSpec(Spec("[{\"type\": \"flatten\"}, {\"type\": \"linear\", \"in\": 100000, \"out\": 1000000}]"));
        Assert.Contains("layers 0 to 1 have 100001000000 parameters (381474 MB)", e.Message);
        Assert.Contains("\"in\", \"out\"", e.Message);
    }

    [Fact]
    public void AbsurdConvolutions_AreRefusedBeforeAllocating()
    {
        var kernel = LoadSpec(Spec("[{\"type\": \"conv2d\", \"in\": 1, \"out\": 64, \"kernel\": 100000}]"));
        Assert.Contains("parameters", kernel.Message);
        var output = LoadSpec(Spec("[{\"type\": \"conv2d\", \"in\": 1, \"out\": 1000000, \"kernel\": 1, \"padding\": 1000}]"));
        Assert.Contains("layer 0 (conv2d) would produce up to", output.Message);
    }

    [Fact]
    public void AbsurdClassCountOrInputSize_IsRefused()
    {
        Assert.Contains("at most 100000", LoadSpec(Spec("[{\"type\": \"flatten\"}]").Replace("\"classes\": 3", "\"classes\": 1000000000")).Message);
        Assert.Contains("too large", LoadSpec(Spec("[{\"type\": \"flatten\"}]").Replace("\"height\": 8", "\"height\": 20000")).Message);
    }

    private static GlassboxException LoadCheckpoint(Action<JsonNode> edit, Func<string, string>? text = null)
    {
        using var dir = new TempDirectory();
        using (var model = new ImageClassifier(new ModelInfo(Architecture.PooledCnn, 1, 28, 28, MnistFormat.DigitClassNames.ToArray())))
            Checkpoint.Save(dir.File("ckpt"), model);
        var json = JsonNode.Parse(File.ReadAllText(dir.File("ckpt/model.json")))!;
        edit(json);
        File.WriteAllText(dir.File("ckpt/model.json"), (text ?? (s => s))(json.ToJsonString()));
        return Assert.Throws<GlassboxException>(() => Checkpoint.Load(dir.File("ckpt")));
    }

    [Fact]
    public void CheckpointJson_WithNullOrAbsurdFields_IsRefused()
    {
        Assert.Contains("names no classes", LoadCheckpoint(j => j["model"]!["classNames"] = null).Message);
        Assert.Contains("class name in the model description is null", LoadCheckpoint(j => j["model"]!["classNames"]![3] = null).Message);
        Assert.Contains("too large", LoadCheckpoint(j => j["model"]!["height"] = 20000).Message);
        Assert.Contains("must be positive", LoadCheckpoint(j => j["model"]!["channels"] = 0).Message);
        Assert.Contains("names no architecture", LoadCheckpoint(j => j["model"]!["architecture"] = null).Message);
        Assert.Contains("key \"height\" appears twice in model", LoadCheckpoint(_ => { }, s => s.Replace("\"height\":28", "\"height\":28,\"height\":29")).Message);
    }
}

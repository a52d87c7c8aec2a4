using System.Text.Json;
using Glassbox.App;
using Glassbox.Tests.IO;
using static Glassbox.Tests.App.EvaluateTestSupport;

namespace Glassbox.Tests.App;

public class LocalisationChanceTests
{
    [Fact]
    public void Evaluate_WithMasks_ReportsTheChanceLevelOfRandomMaps_NearTheMasksShare()
    {
        using var dir = new TempDirectory();
        // Every mask is the top two rows of 8×8: a quarter of the image.
        string data = SmallData(dir, test: 8, masks: true);
        var request = new EvaluateRequest(Fixture("small_cnn.json"), data, dir.File("eval"), ["saliency"], "relevance-mass-accuracy,pointing-game,sparseness",
            Images: 8, Bootstrap: 50);
        var report = EvaluateJob.Run(request);
        Assert.Equal(["pointing-game", "relevance-mass-accuracy"], report.Chance.Keys.Order(StringComparer.Ordinal));
        Assert.InRange(report.Chance["relevance-mass-accuracy"], 0.17, 0.33);
        Assert.InRange(report.Chance["pointing-game"], 0, 0.75);
        var json = JsonDocument.Parse(File.ReadAllBytes(dir.File("eval/evaluation.json"))).RootElement;
        Assert.Equal(report.Chance["relevance-mass-accuracy"], json.GetProperty("chance").GetProperty("relevance-mass-accuracy").GetDouble(), 9);
        Assert.Contains("random maps (chance level)", File.ReadAllText(dir.File("eval/evaluation.html")));
    }

    [Fact]
    public void Evaluate_WithoutLocalisationMetrics_HasNoChanceLevel()
    {
        using var dir = new TempDirectory();
        string data = SmallData(dir, test: 8, masks: true);
        var report = EvaluateJob.Run(new EvaluateRequest(Fixture("small_cnn.json"), data, dir.File("eval"), ["saliency"], "sparseness", Images: 4, Bootstrap: 20));
        Assert.Empty(report.Chance);
        Assert.DoesNotContain("chance level", File.ReadAllText(dir.File("eval/evaluation.html")));
    }
}

public class BackgroundFolderTests
{
    [Fact]
    public void BackgroundFolder_IsTheDataFolder_OrTheParentOfATestOnlySplit()
    {
        using var dir = new TempDirectory();
        string data = SmallData(dir);
        Assert.Equal(data, EvaluationInputs.BackgroundFolder(data));
        string conflict = Path.Combine(data, "conflict");
        Directory.CreateDirectory(conflict);
        File.Copy(Path.Combine(data, "t10k-images-idx3-ubyte"), Path.Combine(conflict, "t10k-images-idx3-ubyte"));
        Assert.Equal(Path.GetFullPath(data), EvaluationInputs.BackgroundFolder(conflict));
        string lone = dir.File("lone");
        Directory.CreateDirectory(lone);
        Assert.Equal(lone, EvaluationInputs.BackgroundFolder(lone));
    }
}

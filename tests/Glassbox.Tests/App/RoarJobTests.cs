using System.Text.Json;
using Glassbox.App;
using Glassbox.Data;
using Glassbox.Tests.IO;

namespace Glassbox.Tests.App;

public class RoarJobTests
{
    private const int Side = 6, Decisive = 2 * Side + 2;

    /// <summary>An MNIST-format folder of 6×6 images of faint noise whose class is one pixel alone (255 → "one", 0 → "zero").</summary>
    internal static string OnePixelData(TempDirectory dir, int train = 1500, int test = 300)
    {
        string folder = dir.File("one-pixel");
        Directory.CreateDirectory(folder);
        var rng = new Random(7);
        foreach (var (prefix, count) in new[] { ("train", train), ("t10k", test) })
        {
            var pixels = new byte[count * Side * Side];
            var labels = new byte[count];
            for (int i = 0; i < count; i++)
            {
                labels[i] = (byte)rng.Next(2);
                for (int p = 0; p < Side * Side; p++) pixels[i * Side * Side + p] = (byte)rng.Next(80);
                pixels[i * Side * Side + Decisive] = labels[i] == 1 ? (byte)255 : (byte)0;
            }
            IdxFile.Write(Path.Combine(folder, $"{prefix}-images-idx3-ubyte"), [count, Side, Side], pixels, gzip: false);
            IdxFile.Write(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte"), [count], labels, gzip: false);
        }
        File.WriteAllText(Path.Combine(folder, "classes.txt"), "zero\none\n");
        return folder;
    }

    private sealed class Recorder : IRunObserver
    {
        public double Total, Last;
        public readonly List<string> Details = [];
        public void StageStarted(string stage, double total) => Total = total;
        public void StageProgress(string stage, double done, string? detail = null)
        {
            Assert.True(done >= Last - 1e-9, $"progress went back from {Last} to {done}");
            Last = done;
            if (detail is not null) Details.Add(detail);
        }
        public void StageFinished(string stage, string summary) { }
    }

    [Fact]
    public void Roar_RankingBySaliency_RemovesTheDecisivePixel_AndWritesJsonCsvAndChart()
    {
        using var dir = new TempDirectory();
        string data = OnePixelData(dir);
        var observer = new Recorder();
        var report = RoarJob.Run(new RoarRequest(["saliency", "input-x-gradient"], data, dir.File("roar"), Epochs: 2, Percentages: [10, 50]), observer);

        Assert.True(report.ExplainedModelAccuracy > 0.95, $"explained model {report.ExplainedModelAccuracy}");
        Assert.Equal(["saliency", "input-x-gradient", RoarJob.RandomName], report.Curves.Select(c => c.Method));
        Assert.All(report.Curves, c => Assert.Equal([0, 10, 50], c.Percents));
        // One unmodified model and one random baseline serve every method.
        Assert.Single(report.Curves.Select(c => c.Accuracy[0]).Distinct());
        var saliency = report.Curves[0];
        var random = report.Curves[^1];
        Assert.True(saliency.Accuracy[0] > 0.95, $"unmodified {saliency.Accuracy[0]}");
        // 10 % of 36 pixels = 3: saliency's top three hold the decisive pixel; three random ones hold it 1 time in 12.
        Assert.True(saliency.Accuracy[1] < 0.7, $"saliency at 10 %: {saliency.Accuracy[1]}");
        Assert.True(random.Accuracy[1] > 0.85, $"random at 10 %: {random.Accuracy[1]}");
        // The mean gap averages the 10 % point (where removal by saliency must hurt) with the 50 % point, where both
        // removals may already be at chance; it must still be clearly positive.
        Assert.True(saliency.MeanGapToRandom > 0.05, $"gap {saliency.MeanGapToRandom}");
        Assert.Equal(0, random.MeanGapToRandom);
        Assert.Contains("Rong et al. 2022", report.Warning);

        Assert.Equal(observer.Total, observer.Last, 6);
        Assert.Contains(observer.Details, d => d.Contains("input-x-gradient: retraining", StringComparison.Ordinal));

        string folder = dir.File("roar");
        Assert.Equal(["roar.csv", "roar.json", "roar.png"], Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        var csv = File.ReadAllLines(Path.Combine(folder, "roar.csv"));
        Assert.Equal("method,removed_percent,accuracy", csv[0]);
        Assert.Equal(1 + 3 * 3, csv.Length);
        Assert.StartsWith("saliency,10,", csv[2]);
        var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "roar.json"))).RootElement;
        Assert.Equal(report.Warning, json.GetProperty("warning").GetString());
        Assert.Equal(3, json.GetProperty("curves").GetArrayLength());
        Assert.Equal(1500, json.GetProperty("trainImages").GetInt32());
        var png = File.ReadAllBytes(Path.Combine(folder, "roar.png"));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
    }

    [Fact]
    public void Warning_NamesTheMethodsThatStayAboveRandom()
    {
        var above = new RoarCurve("saliency", [0, 50], [0.9, 0.85], -0.1);
        var below = new RoarCurve("occlusion", [0, 50], [0.9, 0.4], 0.35);
        var random = new RoarCurve(RoarJob.RandomName, [0, 50], [0.9, 0.75], 0);
        string leak = RoarJob.Warning([above, below, random]);
        Assert.Contains("saliency keeps accuracy ABOVE random", leak);
        Assert.DoesNotContain("occlusion", leak);
        string caveat = RoarJob.Warning([below, random]);
        Assert.DoesNotContain("ABOVE", caveat);
        Assert.Contains("class-information leakage", caveat);
        Assert.Equal("method,removed_percent,accuracy\nocclusion,0,0.9\nocclusion,50,0.4\n", RoarJob.Csv([below]));
    }

    [Theory]
    [InlineData("magic", null, "Unknown method 'magic'")]
    [InlineData("random", null, "ROAR's own baseline")]
    [InlineData("saliency", 0, "between 1 and 100")]
    [InlineData("saliency", 101, "between 1 and 100")]
    public void Roar_RefusesBadRequests_BeforeTraining(string methods, int? percent, string message)
    {
        using var dir = new TempDirectory();
        var request = new RoarRequest(methods.Split(','), dir.File("missing-data"), dir.File("out"), Percentages: percent is int p ? [p] : null);
        var ex = Assert.Throws<GlassboxException>(() => RoarJob.Run(request));
        Assert.Contains(message, ex.Message);
        Assert.False(Directory.Exists(dir.File("out")));
    }

    [Fact]
    public void Roar_RefusesAFolderHoldingOtherFiles()
    {
        using var dir = new TempDirectory();
        string data = OnePixelData(dir, 20, 10);
        Directory.CreateDirectory(dir.File("out"));
        File.WriteAllText(dir.File("out/notes.txt"), "mine");
        var ex = Assert.Throws<GlassboxException>(() => RoarJob.Run(new RoarRequest(["saliency"], data, dir.File("out"))));
        Assert.Contains("notes.txt", ex.Message);
    }
}

using System.Diagnostics;
using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Data;
using Glassbox.Data.Synthetic;
using Glassbox.IO;
using Glassbox.Metrics.Localisation;
using Glassbox.Models;
using Glassbox.Tests.IO;
using Glassbox.Tests.Training;
using Glassbox.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Glassbox.Tests.Data.Synthetic;

[Collection(SerialCollection.Name)]
public class PlantedEvidenceTests(ITestOutputHelper output)
{
    private static string Shipped => Path.Combine(RepoPaths.Root, "data", "planted-evidence");

    private static readonly Lazy<PlantedEvidenceSet> Default = new(() => PlantedEvidence.Create(RepoPaths.MnistSample));

    [Fact]
    public void Acceptance_ModelTrainedOnThePatch_IsExplainedOnThePatch_ByIgAndDeepShap_WhileRandomMapsScoreTheAreaShare()
    {
        // Measured on this machine (2 cores shared with other builds, load ~35): training 41 s, the whole test 68 s;
        // unloaded the training of 2000 images takes ~2 s (see TrainerTests). Results with seed 0: test accuracy 99.5 %,
        // conflict split follows the square in 99.6 % (the digit in 0.1 %); pointing game 1.000 for IG and DeepSHAP.
        var sw = Stopwatch.StartNew();
        var set = Default.Value;
        torch.manual_seed(0);
        using var model = new ImageClassifier(new ModelInfo(Architecture.ReferenceCnn, 1, 28, 28, MnistFormat.DigitClassNames));
        new Trainer(new TrainingOptions(Epochs: 1, BatchSize: 64, Seed: 0)).Train(model, set.Train.ToDataset().Take(2000), null);
        var (_, testAcc) = Trainer.Evaluate(model, set.Test.ToDataset());
        var (_, byPatch) = Trainer.Evaluate(model, set.Conflict.ToEvidenceDataset());
        var (_, byDigit) = Trainer.Evaluate(model, set.Conflict.ToDigitDataset());
        output.WriteLine($"trained in {sw.Elapsed.TotalSeconds:F1} s; test acc {testAcc:P1}; conflict: follows square {byPatch:P1}, digit {byDigit:P1}");
        // The model classifies by the square: where square and digit disagree it follows the square.
        Assert.True(byPatch >= 0.9, $"conflict images predicted as the square's class: {byPatch:P1}");
        Assert.True(byDigit <= 0.05, $"conflict images predicted as the digit: {byDigit:P1}");
        Assert.True(testAcc >= 0.9, $"test accuracy {testAcc:P1}");

        int n = 32;
        var test = set.Test.ToDataset().Take(n);
        using var x = Trainer.ToTensor(test, CPU);
        using var masks = torch.tensor(set.Test.Masks.Take(n * 28 * 28).ToArray(), [n, 28, 28]);
        var targets = TargetSelection.PerInput(test.Labels);
        using var background = Trainer.ToTensor(set.Train.ToDataset().Subset(Enumerable.Range(2000, 10).ToArray()), CPU);
        var context = new OptionContext(model.Info, model.Device);
        foreach (var (name, text, baselines) in new (string, Dictionary<string, string>, Baseline?)[]
                 {
                     ("integrated-gradients", new() { ["n-steps"] = "16" }, null),
                     ("deep-shap", new(), Baseline.FromImages(background)),
                 })
        {
            var settings = MethodCatalog.Default.Get(name).Bind(text, context);
            if (baselines is not null) settings = settings with { Baselines = baselines };
            var e = settings.Create(model).Attribute(x, targets);
            var pg = new PointingGame().Evaluate(e, masks);
            var auc = new Auc().Evaluate(e, masks);
            output.WriteLine($"{name}: pointing game {pg.Mean:F3}, auc {auc.Mean:F3}; {sw.Elapsed.TotalSeconds:F1} s");
            Assert.True(pg.Mean >= 0.9, $"{name}: pointing game {pg.Mean:F3}");
            Assert.True(auc.Mean >= 0.9, $"{name}: auc {auc.Mean:F3}");
        }

        // A random map's maximum is uniform over the 784 pixels, so it hits the 16-pixel square with probability
        // p = 16/784 ≈ 0.0204; over the 1000 test images the hit rate has standard deviation √(p(1−p)/1000) ≈ 0.0045.
        // ±0.015 is more than 3 standard deviations (the seeded draw gives 0.024), and far below the trained maps' 0.9.
        int all = set.Test.Count;
        var rng = new Random(1);
        var random = new Explanation("Random", new object(), Enumerable.Range(0, all * 784).Select(_ => (float)rng.NextDouble()).ToArray(),
            [all, 1, 1, 28, 28], set.Test.Labels, OutputSpace.Logits, new double[all], new double[all], null, 0);
        using var allMasks = torch.tensor(set.Test.Masks, [all, 28, 28]);
        double share = 16.0 / 784, randomPg = new PointingGame().Evaluate(random, allMasks).Mean;
        output.WriteLine($"random: pointing game {randomPg:F4} (area share {share:F4}); total {sw.Elapsed.TotalSeconds:F1} s");
        Assert.InRange(randomPg, share - 0.015, share + 0.015);
    }

    [Fact]
    public void Create_PlantsTheSquareWhereItsClassSays_AndTheMasksMarkIt()
    {
        var set = Default.Value;
        Assert.Equal((4000, 1000, 1000), (set.Train.Count, set.Test.Count, set.Conflict.Count));
        foreach (var split in new[] { set.Train, set.Test, set.Conflict })
            for (int i = 0; i < split.Count; i++)
            {
                var (row, col) = PlantedEvidence.PatchPosition(split.EvidenceLabels[i], 28, 28, 4);
                int onMask = 0;
                for (int p = 0; p < 784; p++)
                {
                    bool inside = p / 28 >= row && p / 28 < row + 4 && p % 28 >= col && p % 28 < col + 4;
                    Assert.Equal(inside ? 1 : 0, split.Masks[i * 784 + p]);
                    if (inside) { Assert.Equal(255, split.Pixels[i * 784 + p]); onMask++; }
                }
                Assert.Equal(16, onMask);
            }
        Assert.Equal(set.Test.Digits, set.Test.EvidenceLabels);
        Assert.Equal(set.Test.Digits, set.Test.Labels);
        Assert.All(Enumerable.Range(0, 1000), i => Assert.NotEqual(set.Conflict.Digits[i], set.Conflict.EvidenceLabels[i]));
        Assert.Equal(set.Conflict.Digits, set.Conflict.Labels);
        Assert.Equal(set.Train.EvidenceLabels, set.Train.Labels);
        double decoys = Enumerable.Range(0, 4000).Count(i => set.Train.Digits[i] != set.Train.EvidenceLabels[i]) / 4000.0;
        Assert.InRange(decoys, 0.45, 0.55);
        // Every class's square appears in the conflict split, and the ten squares do not overlap.
        Assert.Equal(10, set.Conflict.EvidenceLabels.Distinct().Count());
        var cells = Enumerable.Range(0, 10).SelectMany(c =>
        {
            var (r, k) = PlantedEvidence.PatchPosition(c, 28, 28, 4);
            return Enumerable.Range(0, 16).Select(j => (r + j / 4) * 28 + k + j % 4);
        }).ToArray();
        Assert.Equal(160, cells.Distinct().Count());
        Assert.All(cells, p => Assert.InRange(p, 0, 783));
    }

    [Fact]
    public void Create_IsDeterministic_AndTheSeedChangesTheDraw()
    {
        var a = Default.Value;
        var b = PlantedEvidence.Create(RepoPaths.MnistSample);
        var c = PlantedEvidence.Create(RepoPaths.MnistSample, new PlantedEvidenceOptions(Seed: 1));
        Assert.Equal(a.Train.Pixels, b.Train.Pixels);
        Assert.Equal(a.Conflict.EvidenceLabels, b.Conflict.EvidenceLabels);
        Assert.NotEqual(a.Train.Pixels, c.Train.Pixels);
    }

    [Fact]
    public void Create_RefusesSettingsThatCannotWork()
    {
        Assert.Contains("decoy share", Assert.Throws<GlassboxException>(() => PlantedEvidence.Create(RepoPaths.MnistSample, new(DecoyShare: 1))).Message);
        Assert.Contains("does not fit", Assert.Throws<GlassboxException>(() => PlantedEvidence.Create(RepoPaths.MnistSample, new(PatchSize: 6))).Message);
        Assert.Contains("fewer than", Assert.Throws<GlassboxException>(() => PlantedEvidence.Create(RepoPaths.MnistSample, new(TrainCount: 9000))).Message);
        Assert.Contains("no train-images", Assert.Throws<GlassboxException>(() => PlantedEvidence.Create(Path.GetTempPath())).Message);
    }

    [Fact]
    public void ShippedSet_LoadsAsAnMnistFolder_WithAlignedMasks_AndRegeneratingItGivesIdenticalBytes()
    {
        var test = MnistFormat.LoadFolder(Shipped, "test");
        var masks = NpyFile.Read(Path.Combine(Shipped, PlantedEvidence.MasksFileName));
        Assert.Equal([test.Count, 28, 28], masks.Shape);
        var conflict = MnistFormat.LoadFolder(Path.Combine(Shipped, PlantedEvidence.ConflictFolderName), "test");
        Assert.Equal(Default.Value.Conflict.Digits, conflict.Labels);
        Assert.Equal(4000, MnistFormat.LoadFolder(Shipped, "train").Count);

        using var dir = new TempDirectory();
        PlantedEvidence.Write(PlantedEvidence.Create(RepoPaths.MnistSample), dir.Path);
        var shipped = Files(Shipped);
        Assert.Equal(shipped, Files(dir.Path));
        foreach (var file in shipped)
        {
            string a = Path.Combine(Shipped, file), b = Path.Combine(dir.Path, file);
            // gzip streams are compared by content: the compressed bytes depend on the runtime's zlib build.
            if (file.EndsWith(".gz", StringComparison.Ordinal))
            {
                var (x, y) = (IdxFile.Read(a), IdxFile.Read(b));
                Assert.Equal(x.Dims, y.Dims);
                Assert.True(x.Data.AsSpan().SequenceEqual(y.Data), $"{file} differs");
            }
            else Assert.True(File.ReadAllBytes(a).AsSpan().SequenceEqual(File.ReadAllBytes(b)), $"{file} differs");
        }
    }

    private static string[] Files(string root)
        => Directory.GetFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToArray();
}

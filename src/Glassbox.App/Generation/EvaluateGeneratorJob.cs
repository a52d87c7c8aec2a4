using System.Diagnostics;
using System.Text.Json;
using Glassbox.Data;
using Glassbox.Generation;
using Glassbox.IO;
using Glassbox.Metrics.Generation;
using Glassbox.Training;
using static TorchSharp.torch;

namespace Glassbox.App.Generation;

/// <summary>What to evaluate: a generator checkpoint, the classifier whose features the metrics use, the data, the output folder.</summary>
public sealed record EvaluateGeneratorRequest(string Generator, string? Classifier, string Data, string Output, int Count = 2000, int Seed = 0, int BatchSize = 256);

/// <summary>One metric: its value for generated vs real images and the real-vs-real floor (test vs training images).</summary>
public sealed record GeneratorMetricRow(string Metric, double Generated, double Floor, double? GeneratedStd = null, double? FloorStd = null, bool HigherIsBetter = false);

/// <summary>The rows, the files written and the time taken.</summary>
public sealed record EvaluateGeneratorResult(IReadOnlyList<GeneratorMetricRow> Rows, int Count, int FeatureDimensions, IReadOnlyDictionary<string, string> Files, double Seconds);

/// <summary>
/// <c>glassbox evaluate-generator</c>: FD, KID, precision/recall, density/coverage and a classifier Inception Score of a
/// generator's samples against held-out (test) images, in the penultimate-layer features of a trained classifier, each beside the
/// same metric between the test images and as many training images — the floor a perfect generator would reach at this N.
/// </summary>
public static class EvaluateGeneratorJob
{
    /// <summary>The JSON file written to the output folder.</summary>
    public const string JsonFile = "evaluate-generator.json";

    /// <summary>Smallest -n: the Inception Score's 10 splits need at least 10 images (and density/coverage k = 5 needs more than 5).</summary>
    public const int MinCount = 10;

    /// <summary>Runs the evaluation and writes evaluate-generator.json and the feature/probability .npy files.</summary>
    public static EvaluateGeneratorResult Run(EvaluateGeneratorRequest r)
    {
        var clock = Stopwatch.StartNew();
        if (string.IsNullOrWhiteSpace(r.Classifier))
            throw new GlassboxException("evaluate-generator needs a classifier for its features: pass --classifier <checkpoint>. Train one on the same data with `glassbox train` (nothing is downloaded).");
        if (r.BatchSize < 1) throw new GlassboxException($"The batch size must be at least 1, not {r.BatchSize}.");
        if (r.Count < MinCount) throw new GlassboxException($"-n must be at least {MinCount} (the Inception Score uses 10 splits), not {r.Count}.");
        if (!Directory.Exists(r.Generator)) throw new GlassboxException($"The generator checkpoint folder '{r.Generator}' does not exist. Train one first, or check the path.");
        if (!Directory.Exists(r.Classifier) && !File.Exists(r.Classifier)) throw new GlassboxException($"The classifier checkpoint '{r.Classifier}' does not exist. Train one with `glassbox train`.");

        var test = MnistFormat.LoadFolder(r.Data, "test");
        var train = MnistFormat.LoadFolder(r.Data, "train");
        int max = Math.Min(test.Count, train.Count);
        if (r.Count > max)
            throw new GlassboxException($"-n {r.Count} is more than the data has: {test.Count} test and {train.Count} training images in '{r.Data}'. Use -n between {MinCount} and {max}.");

        using var classifier = Glassbox.Models.Sources.ModelLoader.Load(r.Classifier, CPU);
        var extractor = new ClassifierFeatures(classifier);
        var info = extractor.Info;
        var (generator, _) = GeneratorCheckpoint.Load(r.Generator);
        using var gen = generator;
        if (gen.Channels != info.Channels || gen.Height != info.Height || gen.Width != info.Width)
            throw new GlassboxException($"The generator makes {gen.Channels}×{gen.Height}×{gen.Width} images but the classifier takes {info.Channels}×{info.Height}×{info.Width}. Use a classifier trained on the generator's data.");
        if (test.Channels != info.Channels || test.Height != info.Height || test.Width != info.Width)
            throw new GlassboxException($"The data's images are {test.Channels}×{test.Height}×{test.Width} but the classifier takes {info.Channels}×{info.Height}×{info.Width}. Pass the --data the models were trained on.");

        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2;
        gen.SetTraining(false);
        var fake = extractor.Compute(r.Count, (start, size) =>
        {
            var s = gen.Generate(size, unchecked(r.Seed * 1_000_003 + start));
            s.Latents.Dispose();
            return s.Images;
        }, r.BatchSize, available);
        var real = extractor.Compute(r.Count, (start, size) => Trainer.ToTensor(test, CPU, start, size), r.BatchSize, available);
        var other = extractor.Compute(r.Count, (start, size) => Trainer.ToTensor(train, CPU, start, size), r.BatchSize, available);

        double[,] realF = real.FeatureMatrix(), fakeF = fake.FeatureMatrix(), otherF = other.FeatureMatrix();
        var fd = new FrechetDistance();
        var kid = new KernelInceptionDistance(new KernelInceptionDistanceOptions(RandomSeed: r.Seed));
        var prdc = new PrecisionRecallDensityCoverage();
        var inception = new InceptionScore();
        var fdG = fd.Compute(realF, fakeF);
        var fdR = fd.Compute(realF, otherF);
        var kidG = kid.Compute(realF, fakeF);
        var kidR = kid.Compute(realF, otherF);
        var pG = prdc.Compute(realF, fakeF);
        var pR = prdc.Compute(realF, otherF);
        var isG = inception.Compute(fake.ProbabilityMatrix());
        var isR = inception.Compute(other.ProbabilityMatrix());
        var rows = new List<GeneratorMetricRow>
        {
            new("fd", fdG.Distance, fdR.Distance),
            new("kid", kidG.Mean, kidR.Mean, kidG.Std, kidR.Std),
            new("precision", pG.Precision, pR.Precision, HigherIsBetter: true),
            new("recall", pG.Recall, pR.Recall, HigherIsBetter: true),
            new("density", pG.Density, pR.Density, HigherIsBetter: true),
            new("coverage", pG.Coverage, pR.Coverage, HigherIsBetter: true),
            new("inception-score", isG.Mean, isR.Mean, isG.Std, isR.Std, HigherIsBetter: true),
        };

        Directory.CreateDirectory(r.Output);
        var files = new Dictionary<string, string>
        {
            ["realFeatures"] = "real_features.npy", ["generatedFeatures"] = "generated_features.npy", ["trainFeatures"] = "train_features.npy",
            ["realProbabilities"] = "real_probabilities.npy", ["generatedProbabilities"] = "generated_probabilities.npy", ["trainProbabilities"] = "train_probabilities.npy",
        };
        Write(r.Output, files["realFeatures"], real.Features, real.Rows, real.Dimensions);
        Write(r.Output, files["generatedFeatures"], fake.Features, fake.Rows, fake.Dimensions);
        Write(r.Output, files["trainFeatures"], other.Features, other.Rows, other.Dimensions);
        Write(r.Output, files["realProbabilities"], real.Probabilities, real.Rows, real.Classes);
        Write(r.Output, files["generatedProbabilities"], fake.Probabilities, fake.Rows, fake.Classes);
        Write(r.Output, files["trainProbabilities"], other.Probabilities, other.Rows, other.Classes);
        double seconds = clock.Elapsed.TotalSeconds;
        var report = new Dictionary<string, object?>
        {
            ["format"] = "glassbox-evaluate-generator",
            ["generator"] = Path.GetFullPath(r.Generator), ["generatorKind"] = gen.Kind,
            ["classifier"] = Path.GetFullPath(r.Classifier), ["architecture"] = info.Architecture,
            ["data"] = Path.GetFullPath(r.Data),
            ["settings"] = new Dictionary<string, object?>
            {
                ["n"] = r.Count, ["seed"] = r.Seed, ["batchSize"] = r.BatchSize, ["features"] = "classifier penultimate layer (input of the last Linear, flattened)",
                ["kid"] = kid.Options, ["prdc"] = prdc.Options, ["inceptionScore"] = inception.Options, ["fd"] = fd.Options,
                ["real"] = $"first {r.Count} test images", ["floor"] = $"first {r.Count} test images vs first {r.Count} training images",
                ["generatorSeeds"] = "batch starting at row s uses seed·1000003 + s",
            },
            ["sizes"] = new Dictionary<string, object?> { ["generated"] = fake.Rows, ["real"] = real.Rows, ["train"] = other.Rows, ["featureDimensions"] = real.Dimensions, ["classes"] = real.Classes },
            ["metrics"] = rows.ToDictionary(x => x.Metric, x => (object?)new Dictionary<string, object?>
            {
                ["generated"] = x.Generated, ["generatedStd"] = x.GeneratedStd, ["floor"] = x.Floor, ["floorStd"] = x.FloorStd, ["higherIsBetter"] = x.HigherIsBetter,
            }),
            ["files"] = files,
            ["seconds"] = seconds,
        };
        AtomicFile.WriteAllText(Path.Combine(r.Output, JsonFile), JsonSerializer.Serialize(report, AppJson.Options));
        files["json"] = JsonFile;
        return new EvaluateGeneratorResult(rows, r.Count, real.Dimensions, files, seconds);
    }

    private static void Write(string folder, string name, float[] data, int rows, int cols) =>
        NpyFile.Write(Path.Combine(folder, name), data, [rows, cols]); // atomic (AtomicFile)
}

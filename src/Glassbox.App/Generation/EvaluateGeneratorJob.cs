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
/// <param name="Generator">Generator checkpoint folder (from train-generator).</param>
/// <param name="Classifier">Classifier checkpoint whose penultimate-layer features the metrics use.</param>
/// <param name="Data">MNIST-format folder: its test images are the real set, its training images the floor's second set.</param>
/// <param name="Output">Output folder, written as one unit.</param>
/// <param name="Count">Generated images, real images and floor images (each).</param>
/// <param name="Seed">Seeds the latents and the KID subsets.</param>
/// <param name="BatchSize">Images per forward pass.</param>
/// <param name="Device">cpu, cuda, cuda:N or auto: where the generator and the classifier run.</param>
public sealed record EvaluateGeneratorRequest(string Generator, string? Classifier, string Data, string Output, int Count = 2000, int Seed = 0, int BatchSize = 256,
    string Device = "cpu");

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

        string folder = AtomicFolder.CheckTarget(r.Output, IsOwnEntry);
        using var runLock = OutputLock.Acquire(folder);
        var device = Glassbox.Engine.TorchContext.ResolveDevice(r.Device);
        using var classifier = Glassbox.Models.Sources.ModelLoader.Load(r.Classifier, device);
        var extractor = new ClassifierFeatures(classifier);
        var info = extractor.Info;
        var (generator, _) = GeneratorCheckpoint.Load(r.Generator, device);
        using var gen = generator;
        if (gen.Channels != info.Channels || gen.Height != info.Height || gen.Width != info.Width)
            throw new GlassboxException($"The generator makes {gen.Channels}×{gen.Height}×{gen.Width} images but the classifier takes {info.Channels}×{info.Height}×{info.Width}. Use a classifier trained on the generator's data.");
        if (test.Channels != info.Channels || test.Height != info.Height || test.Width != info.Width)
            throw new GlassboxException($"The data's images are {test.Channels}×{test.Height}×{test.Width} but the classifier takes {info.Channels}×{info.Height}×{info.Width}. Pass the --data the models were trained on.");

        gen.SetTraining(false);
        var m = Measure(extractor, gen, test, train, r.Count, r.Seed, r.BatchSize);
        var (real, fake, other) = (m.Real, m.Generated, m.Floor!);
        var rows = m.Rows;

        var files = new Dictionary<string, string>
        {
            ["realFeatures"] = "real_features.npy", ["generatedFeatures"] = "generated_features.npy", ["trainFeatures"] = "train_features.npy",
            ["realProbabilities"] = "real_probabilities.npy", ["generatedProbabilities"] = "generated_probabilities.npy", ["trainProbabilities"] = "train_probabilities.npy",
        };
        // The folder is written as one unit: a temporary folder renamed into place once every file is complete.
        AtomicFolder.Write(folder, temp =>
        {
            Write(temp, files["realFeatures"], real.Features, real.Rows, real.Dimensions);
            Write(temp, files["generatedFeatures"], fake.Features, fake.Rows, fake.Dimensions);
            Write(temp, files["trainFeatures"], other.Features, other.Rows, other.Dimensions);
            Write(temp, files["realProbabilities"], real.Probabilities, real.Rows, real.Classes);
            Write(temp, files["generatedProbabilities"], fake.Probabilities, fake.Rows, fake.Classes);
            Write(temp, files["trainProbabilities"], other.Probabilities, other.Rows, other.Classes);
            double elapsed = clock.Elapsed.TotalSeconds;
            var report = new Dictionary<string, object?>
            {
                ["format"] = "glassbox-evaluate-generator",
                ["generator"] = Path.GetFullPath(r.Generator), ["generatorKind"] = gen.Kind,
                ["classifier"] = Path.GetFullPath(r.Classifier), ["architecture"] = info.Architecture,
                ["data"] = Path.GetFullPath(r.Data),
                ["settings"] = new Dictionary<string, object?>
                {
                    ["n"] = r.Count, ["seed"] = r.Seed, ["batchSize"] = r.BatchSize, ["features"] = FeaturesDescription,
                    ["kid"] = m.Kid, ["prdc"] = m.Prdc, ["inceptionScore"] = m.InceptionScore, ["fd"] = m.Fd,
                    ["real"] = $"first {r.Count} test images", ["floor"] = $"first {r.Count} test images vs first {r.Count} training images",
                    ["generatorSeeds"] = "batch starting at row s uses seed·1000003 + s",
                },
                ["sizes"] = new Dictionary<string, object?> { ["generated"] = fake.Rows, ["real"] = real.Rows, ["train"] = other.Rows, ["featureDimensions"] = real.Dimensions, ["classes"] = real.Classes },
                ["metrics"] = rows.ToDictionary(x => x.Metric, x => (object?)new Dictionary<string, object?>
                {
                    ["generated"] = x.Generated, ["generatedStd"] = x.GeneratedStd, ["floor"] = x.Floor, ["floorStd"] = x.FloorStd, ["higherIsBetter"] = x.HigherIsBetter,
                }),
                ["files"] = files,
                ["seconds"] = elapsed,
            };
            AtomicFile.WriteAllText(Path.Combine(temp, JsonFile), JsonSerializer.Serialize(report, AppJson.Options));
        }, f => File.Exists(Path.Combine(f, JsonFile)), IsOwnEntry);
        files["json"] = JsonFile;
        return new EvaluateGeneratorResult(rows, r.Count, real.Dimensions, files, clock.Elapsed.TotalSeconds);
    }

    /// <summary>How the features are taken, as written into evaluate-generator.json.</summary>
    public const string FeaturesDescription = "classifier penultimate layer: the input of the last Linear; a flattened C×H×W map is averaged over space to C values (as Inception pool3)";

    /// <summary>
    /// Features of <paramref name="count"/> generated images and of the first <paramref name="count"/> images of
    /// <paramref name="real"/> (and, for the floor, of <paramref name="floor"/>), fed <paramref name="batchSize"/> at a
    /// time (only the N×D features are kept), and the metric rows. Without <paramref name="floor"/> the floor columns are NaN.
    /// </summary>
    internal static GeneratorMeasurement Measure(ClassifierFeatures extractor, IGenerativeModel gen, ImageDataset real, ImageDataset? floor,
        int count, int seed, int batchSize)
    {
        var clock = Stopwatch.StartNew();
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2;
        var fake = extractor.Compute(count, (start, size) =>
        {
            var s = gen.Generate(size, unchecked(seed * 1_000_003 + start));
            s.Latents.Dispose();
            return s.Images;
        }, batchSize, available);
        var realSet = extractor.Compute(count, (start, size) => Trainer.ToTensor(real, CPU, start, size), batchSize, available);
        var other = floor is null ? null : extractor.Compute(count, (start, size) => Trainer.ToTensor(floor, CPU, start, size), batchSize, available);
        double featureSeconds = clock.Elapsed.TotalSeconds;

        double[,] realF = realSet.FeatureMatrix(), fakeF = fake.FeatureMatrix();
        double[,]? otherF = other?.FeatureMatrix();
        var fd = new FrechetDistance();
        var kid = new KernelInceptionDistance(new KernelInceptionDistanceOptions(RandomSeed: seed));
        var prdc = new PrecisionRecallDensityCoverage();
        var inception = new InceptionScore();
        var fdG = fd.Compute(realF, fakeF);
        var kidG = kid.Compute(realF, fakeF);
        var pG = prdc.Compute(realF, fakeF);
        var isG = inception.Compute(fake.ProbabilityMatrix());
        var fdR = otherF is null ? null : fd.Compute(realF, otherF);
        var kidR = otherF is null ? null : kid.Compute(realF, otherF);
        var pR = otherF is null ? null : prdc.Compute(realF, otherF);
        var isR = other is null ? null : inception.Compute(other.ProbabilityMatrix());
        var rows = new List<GeneratorMetricRow>
        {
            new("fd", fdG.Distance, fdR?.Distance ?? double.NaN),
            new("kid", kidG.Mean, kidR?.Mean ?? double.NaN, kidG.Std, kidR?.Std),
            new("precision", pG.Precision, pR?.Precision ?? double.NaN, HigherIsBetter: true),
            new("recall", pG.Recall, pR?.Recall ?? double.NaN, HigherIsBetter: true),
            new("density", pG.Density, pR?.Density ?? double.NaN, HigherIsBetter: true),
            new("coverage", pG.Coverage, pR?.Coverage ?? double.NaN, HigherIsBetter: true),
            new("inception-score", isG.Mean, isR?.Mean ?? double.NaN, isG.Std, isR?.Std, HigherIsBetter: true),
        };
        return new GeneratorMeasurement(rows, realSet, fake, other, fd.Options, kid.Options, prdc.Options, inception.Options, featureSeconds);
    }

    private static readonly HashSet<string> OwnFiles = new(StringComparer.Ordinal)
    {
        JsonFile, "real_features.npy", "generated_features.npy", "train_features.npy", "real_probabilities.npy", "generated_probabilities.npy", "train_probabilities.npy",
    };

    private static bool IsOwnEntry(string name) => OwnFiles.Contains(name) || (name.StartsWith('.') && name.EndsWith(".tmp", StringComparison.Ordinal));

    private static void Write(string folder, string name, float[] data, int rows, int cols) =>
        NpyFile.Write(Path.Combine(folder, name), data, [rows, cols]);
}

/// <summary>The features of one evaluation and its metric rows (floor columns NaN when no floor set was given).</summary>
internal sealed record GeneratorMeasurement(IReadOnlyList<GeneratorMetricRow> Rows, ClassifierFeatureSet Real, ClassifierFeatureSet Generated,
    ClassifierFeatureSet? Floor, FrechetDistanceOptions Fd, KernelInceptionDistanceOptions Kid, PrecisionRecallDensityCoverageOptions Prdc, InceptionScoreOptions InceptionScore,
    double FeatureSeconds);

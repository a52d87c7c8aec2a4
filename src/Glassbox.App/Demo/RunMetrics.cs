using Glassbox.Metrics.Axiomatic;
using Glassbox.Metrics.Faithfulness;
using Glassbox.Training;

namespace Glassbox.App;

/// <summary>Everything the demo measured; written as metrics.json and rendered into report.html (<see cref="Generator"/>: only with --generator).</summary>
public sealed record RunMetrics(
    DateTime CreatedUtc,
    DemoOptions Settings,
    RuntimeSummary Runtime,
    DataSummary Data,
    IReadOnlyList<ModelSummary> Models,
    DeepShapSummary DeepShap,
    ReliabilitySummary Reliability,
    IReadOnlyDictionary<string, string> Files,
    double TotalSeconds,
    GeneratorDemoSummary? Generator = null);

/// <summary>Where and how the run executed.</summary>
public sealed record RuntimeSummary(string Device, int Threads, string Malloc, bool LibStdCxxShim, string TorchSharp);

/// <summary>The data used.</summary>
public sealed record DataSummary(string Folder, int TrainImages, int TestImages, int SubsetTrainImages, int ValidationImages, IReadOnlyList<string> ClassNames, int Channels, int Height, int Width);

/// <summary>One trained model.</summary>
public sealed record ModelSummary(string Name, string Checkpoint, string TrainedOn, int TrainImages, double TestAccuracy, double ValidationAccuracy, TrainingHistory History);

/// <summary>The all-classes explanation of the plotted test images (DeepSHAP unless the demo ran another method); Additivity is null for methods that report none.</summary>
public sealed record DeepShapSummary(int BackgroundSize, string Output, int[] TestIndices, int[] Labels, int[] Predictions,
    double[] ExpectedValue, CompletenessReport? Additivity, double ImagesPerSecond, double Seconds);

/// <summary>The two-model reliability check on the validation split; additivity is null for methods that report none.</summary>
public sealed record ReliabilitySummary(int Images, string Target, double SpearmanMean, double SpearmanMedian, double TopTenPercentOverlapMean,
    double RandomOverlapExpected, CompletenessReport? AdditivityModelA, CompletenessReport? AdditivityModelB,
    DeletionResult DeletionModelA, DeletionResult DeletionModelB, double Seconds);

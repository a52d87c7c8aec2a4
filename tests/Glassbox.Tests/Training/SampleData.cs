using Glassbox.Data;
using Glassbox.Tests.Data;

namespace Glassbox.Tests.Training;

/// <summary>The shipped MNIST sample (8000 train / 2000 test), decoded once per test run.</summary>
public static class SampleData
{
    private static readonly Lazy<ImageDataset> TrainSet = new(() => MnistFormat.LoadFolder(RepoPaths.MnistSample, "train"));
    private static readonly Lazy<ImageDataset> TestSet = new(() => MnistFormat.LoadFolder(RepoPaths.MnistSample, "test"));

    public static ImageDataset Train => TrainSet.Value;

    public static ImageDataset Test => TestSet.Value;
}

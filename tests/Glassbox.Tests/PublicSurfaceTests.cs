using System.Reflection;
using System.Runtime.CompilerServices;
using Glassbox.Attribution;
using Glassbox.Attribution.Approximation;
using Glassbox.Attribution.Common;
using Glassbox.Attribution.Gradient;
using Glassbox.Attribution.Perturbation;
using Glassbox.Benchmarking;
using Glassbox.Checkpoints;
using Glassbox.Data;
using Glassbox.Engine;
using Glassbox.IO;
using Glassbox.Metrics.Common;
using Glassbox.Training;

namespace Glassbox.Tests;

/// <summary>What a library user sees: entry points public, plumbing internal (GitHub issue 7).</summary>
public class PublicSurfaceTests
{
    public static TheoryData<Type> Plumbing => new()
    {
        typeof(MallocTuning),
        typeof(ContainedPath), typeof(FileHash), typeof(StrictJson), typeof(NpyHeader),
        typeof(IdxFile), typeof(IdxArray),
        typeof(MetricInputs), typeof(Pairwise),
        typeof(ExplanationBuilder), typeof(InputChecks), typeof(TargetGradients),
        typeof(GaussLegendre), typeof(Riemann), typeof(IntegrationMethods),
        typeof(GradientPass), typeof(ExpectedGradients), typeof(PerturbationCall),
        typeof(Glassbox.Visualization.Text.FontLocator),
    };

    public static TheoryData<Type> EntryPoints => new()
    {
        typeof(TorchContext), typeof(NativeRuntime), typeof(NativeRuntimeInfo), typeof(MallocSetting),
        typeof(NpyFile), typeof(NpyArray), typeof(AtomicFile),
        typeof(ImageDataset), typeof(MnistFormat), typeof(ImageFolder), typeof(ImageFile), typeof(ImageLoadOptions),
        typeof(InputImages), typeof(Normalization), typeof(StratifiedSplit), typeof(Sampling),
        typeof(DatasetDownloader), typeof(DatasetSource), typeof(DatasetFile), typeof(DownloadProgress),
        typeof(Checkpoint), typeof(CheckpointMetadata), typeof(SafeTensors), typeof(SafeTensor),
        typeof(Trainer), typeof(TrainingOptions), typeof(TrainingHistory), typeof(EpochMetrics), typeof(TrainingProgress),
        typeof(MethodBenchmark), typeof(MethodBenchmarkOptions), typeof(MethodBenchmarkResult),
        typeof(ThroughputBenchmark), typeof(BenchmarkOptions), typeof(BenchmarkResult),
        typeof(IntegrationMethod), typeof(Explanation), typeof(TargetSelection), typeof(Baseline),
        // The C# front door of the README (issue 13 §2).
        typeof(Explainer), typeof(ExplanationExtensions), typeof(InputImagesReader),
    };

    [Fact]
    public void Explainer_OffersTheReadmeWorkflow()
    {
        var names = typeof(Explainer).GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Select(m => m.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "LoadModel", "Create", "Explain", "get_MethodNames" }, names);
        Assert.Empty(typeof(Explainer).GetConstructors()); // built by Create only
        Assert.Contains(typeof(ExplanationExtensions).GetMethods(), m => m.Name == "Check");
        Assert.Contains(typeof(ExplanationExtensions).GetMethods(), m => m.Name == "SaveImagePlot");
    }

    [Theory]
    [MemberData(nameof(Plumbing))]
    public void PlumbingType_IsNotVisibleOutsideTheLibrary(Type type) => Assert.False(type.IsVisible, $"{type.FullName} is public");

    [Theory]
    [MemberData(nameof(EntryPoints))]
    public void EntryPointType_IsPublic(Type type) => Assert.True(type.IsVisible, $"{type.FullName} is not public");

    [Theory]
    [InlineData(typeof(AtomicFile), nameof(AtomicFile.DeleteStale))]
    [InlineData(typeof(Checkpoint), nameof(Checkpoint.Recover))]
    [InlineData(typeof(DatasetSource), nameof(DatasetSource.UriOf))]
    [InlineData(typeof(ImageLoadOptions), nameof(ImageLoadOptions.Validate))]
    [InlineData(typeof(ImageLoadOptions), "get_" + nameof(ImageLoadOptions.Resizes))]
    public void LibraryOnlyHelper_IsNotPublic(Type type, string member)
    {
        var all = type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance)
            .Where(m => m.Name == member).ToList();
        Assert.NotEmpty(all);
        Assert.All(all, m => Assert.False(m.IsPublic, $"{type.Name}.{member} is public"));
    }

    [Fact]
    public void Library_OpensItsInternalsToTheTestsOnly()
    {
        var friends = typeof(Explanation).Assembly.GetCustomAttributes<InternalsVisibleToAttribute>()
            .Select(a => a.AssemblyName).ToList();
        Assert.Equal(["Glassbox.Tests"], friends);
    }
}

using Glassbox.App;
using Glassbox.Tests.Data;

namespace Glassbox.Tests.App;

/// <summary>The streaming benchmark explains growing numbers of images in one process and reports time and peak memory.</summary>
public class StreamingBenchmarkTests
{
    [Fact]
    public void Run_ExplainsEachSize_SmallestFirst_AndReportsPeakMemory()
    {
        var results = StreamingBenchmark.Run([70, 10], RepoPaths.MnistSample);
        Assert.Equal([10, 70], results.Select(r => r.Images));
        Assert.All(results, r => Assert.True(r.Seconds > 0 && r.ImagesPerSecond > 0 && r.PeakRssMegabytes > 0, r.ToString()));
        Assert.True(results[1].PeakRssMegabytes >= results[0].PeakRssMegabytes); // a high-water mark never decreases
        Assert.Throws<GlassboxException>(() => StreamingBenchmark.Run([0], RepoPaths.MnistSample));
    }
}

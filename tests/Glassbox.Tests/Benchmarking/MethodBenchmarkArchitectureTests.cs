using Glassbox.Benchmarking;
using Glassbox.Models;

namespace Glassbox.Tests.Benchmarking;

public class MethodBenchmarkArchitectureTests
{
    [Fact]
    public void MethodBenchmark_OnResNetSmall_TimesTheMethodAgainstItsRawPasses()
    {
        var r = MethodBenchmark.Run(new MethodBenchmarkOptions("deep-lift", Images: 3, BackgroundSize: 4, Architecture: Architecture.ResNetSmall));
        Assert.Equal(Architecture.ResNetSmall, r.Architecture);
        Assert.Equal("deep-lift", r.Method);
        Assert.Equal(3, r.Images);
        Assert.True(r.ImagesPerSecond > 0 && double.IsFinite(r.ImagesPerSecond));
        Assert.Equal("forward+backward", r.PassKind);
        Assert.True(r.PassesPerImage >= 1, $"passes per image {r.PassesPerImage}");
        Assert.True(double.IsFinite(r.Ratio) && r.Ratio > 0, $"ratio {r.Ratio}");
        Assert.True(r.MaxCheck < 1e-4, $"DeepLIFT additivity error {r.MaxCheck:E2} on the ResNet");
    }

    [Fact]
    public void MethodBenchmark_RefusesAnUnknownArchitecture()
    {
        var e = Assert.Throws<GlassboxException>(() => MethodBenchmark.Run(new MethodBenchmarkOptions("saliency", Images: 1, BackgroundSize: 2, Architecture: "resnet-huge")));
        Assert.Contains("resnet-small", e.Message);
    }
}

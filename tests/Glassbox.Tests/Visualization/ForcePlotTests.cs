using Glassbox.Visualization;

namespace Glassbox.Tests.Visualization;

public class ForcePlotTests
{
    private const int H = 28, W = 28;

    private static ForcePlotData Sample(double residual = 0, string className = "7", float scale = 1)
    {
        float[] attr = SyntheticImages.Smooth(H, W).Select(v => v * 40 * scale).ToArray();
        double sum = attr.Sum(v => (double)v);
        const double baseValue = 0.1;
        return new ForcePlotData(SyntheticImages.Ring(H, W), attr, 1, H, W, baseValue, baseValue + sum + residual, className, "logit");
    }

    [Fact]
    public void FeatureGrouping_Patches_SumToTheAttributionTotal_AndCoverEveryPixelOnce()
    {
        float[] attr = [.. SyntheticImages.Smooth(H, W), .. SyntheticImages.Smooth(H, W, 0.3), .. SyntheticImages.Smooth(H, W, -0.2)];
        var features = FeatureGrouping.Group(attr, 3, H, W, new FeatureGroupingOptions(PatchSize: 5));
        Assert.Equal(attr.Sum(v => (double)v), features.Sum(f => f.Value), 5);
        Assert.Equal(Enumerable.Range(0, H * W), features.SelectMany(f => f.Pixels).Order());
        Assert.Equal(36, features.Count);
        Assert.Equal("rows 25–27, cols 25–27", features[^1].Label);
    }

    [Fact]
    public void FeatureGrouping_Regions_SumToTheAttributionTotal_AndSeparateSigns()
    {
        float[] attr = SyntheticImages.TwoBlobs(H, W, (2, 8, 2, 8), (20, 26, 20, 26), 0.5f, -0.25f);
        attr[0] = 0.001f;
        var features = FeatureGrouping.Group(attr, 1, H, W, new FeatureGroupingOptions(GroupingMode.Regions));
        Assert.Equal(attr.Sum(v => (double)v), features.Sum(f => f.Value), 5);
        Assert.Equal(H * W, features.Sum(f => f.Pixels.Length));
        Assert.Contains(features, f => f.Label == "region rows 2–7, cols 2–7 (36 px)" && Math.Abs(f.Value - 18) < 1e-4);
        Assert.Contains(features, f => f.Label == "region rows 20–25, cols 20–25 (36 px)" && Math.Abs(f.Value + 9) < 1e-4);
        Assert.Contains(features, f => f.Label.StartsWith("other pixels", StringComparison.Ordinal));
    }

    [Fact]
    public void ForceLayout_RedBlocksEndAtOutput_BlueBlocksStartThere_AndSumToOutputMinusBase()
    {
        var data = Sample();
        var layout = ForcePlot.Layout(data);
        Assert.False(layout.ResidualShown);
        Assert.Equal(data.OutputValue - data.BaseValue, layout.Items.Sum(i => i.Value), 4);
        Assert.Equal(data.OutputValue, layout.Items.Where(i => i.Value > 0).Max(i => i.To), 6);
        Assert.Equal(data.OutputValue, layout.Items.Where(i => i.Value < 0).Min(i => i.From), 6);
        var (min, max) = layout.Extent();
        Assert.Equal(data.BaseValue, layout.Items.Where(i => i.Value < 0).Max(i => i.To) - layout.Items.Where(i => i.Value > 0).Sum(i => i.Value), 4);
        Assert.True(min <= data.BaseValue && max >= data.OutputValue);
    }

    [Fact]
    public void ForcePlot_ShowsAResidualItem_WhenAttributionsDoNotAddUp()
    {
        var data = Sample(residual: 0.5);
        var layout = ForcePlot.Layout(data);
        Assert.True(layout.ResidualShown);
        Assert.Contains(layout.Items, i => i.Kind == ForceItemKind.Residual && Math.Abs(i.Value - 0.5) < 1e-4);
        Assert.Equal(data.OutputValue - data.BaseValue, layout.Items.Sum(i => i.Value), 4);
        string html = ForcePlot.ToHtml(data);
        Assert.Contains("unexplained (residual)", html);
        Assert.Contains("class=\"warn\"", html);
        Assert.False(ForcePlot.Layout(Sample(residual: 1e-6)).ResidualShown);
    }

    [Fact]
    public void ForcePlotHtml_IsSelfContained_AndShowsValuesAndTopFeatureLabels()
    {
        var data = Sample(className: "<script>alert(1)</script> & co");
        string html = ForcePlot.ToHtml(data);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        Assert.DoesNotContain("<script>alert", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co", html);
        Assert.Contains("data:image/png;base64,", html);
        Assert.DoesNotContain("src=\"http", html);
        Assert.Contains(NumberFormat.Compact(data.BaseValue), html);
        Assert.Contains(NumberFormat.Compact(data.OutputValue), html);
        var layout = ForcePlot.Layout(data);
        foreach (var top in layout.Items.OrderByDescending(i => Math.Abs(i.Value)).Take(new ForcePlotOptions().MaxLabels))
        {
            Assert.Contains(top.Label, html);
            Assert.Contains(NumberFormat.Signed(top.Value), html);
        }
    }

    [Fact]
    public void ForcePlotSvg_IsAStandaloneSvgDocument_WithTitle()
    {
        string svg = ForcePlot.ToSvg(Sample(className: "seven"));
        Assert.StartsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"", svg);
        Assert.Contains("seven: f(x) = ", svg);
        var doc = System.Xml.Linq.XDocument.Parse(svg);
        Assert.Contains(doc.Descendants(), e => e.Name.LocalName == "polygon");
    }

    [Fact]
    public void ForcePlot_MergesSmallFeatures_BeyondMaxBlocks_WithoutChangingTheSum()
    {
        var data = Sample();
        var layout = ForcePlot.Layout(data, new ForcePlotOptions { MaxBlocks = 5, Grouping = new FeatureGroupingOptions(PatchSize: 2) });
        Assert.Contains(layout.Items, i => i.Kind == ForceItemKind.Merged);
        Assert.True(layout.Items.Count <= 7);
        Assert.Equal(data.OutputValue - data.BaseValue, layout.Items.Sum(i => i.Value), 4);
    }

    [Fact]
    public void Gallery_WritesSampleForcePlots_WhenRequested()
    {
        if (SyntheticImages.GalleryDir is not { } dir) return;
        ForcePlot.SaveHtml(Path.Combine(dir, "force_plot.html"), Sample(className: "digit 7"));
        ForcePlot.SaveHtml(Path.Combine(dir, "force_plot_residual.html"), Sample(residual: -0.8, className: "digit 7 <b>"));
        ForcePlot.SaveHtml(Path.Combine(dir, "force_plot_regions.html"), Sample(className: "digit 7 (regions)"), new ForcePlotOptions { Grouping = new FeatureGroupingOptions(GroupingMode.Regions) });
        ForcePlot.SaveSvg(Path.Combine(dir, "force_plot.svg"), Sample(className: "digit 7"));
    }
}

using Glassbox.Attribution;
using Glassbox.Visualization;

namespace Glassbox.Tests.Visualization;

public class ImagePlotFromExplanationTests
{
    private const int H = 28, W = 28;

    /// <summary>Two inputs, each explained for classes 2 and 0 (slot order), carrying pixels and class names.</summary>
    private static Explanation TwoByTwo(bool withInputs = true)
    {
        float[] images = [.. SyntheticImages.Ring(H, W), .. SyntheticImages.Ring(H, W)];
        float[] values =
        [
            .. SyntheticImages.Smooth(H, W), .. SyntheticImages.Smooth(H, W, 0.2),
            .. SyntheticImages.Smooth(H, W).Select(v => v * 30), .. SyntheticImages.Smooth(H, W, -0.1).Select(v => -v * 30),
        ];
        var e = new Explanation("Test", new object(), values, [2, 2, 1, H, W], [2, 0, 2, 0], OutputSpace.Logits,
            [1.0, 3.0, 0.5, -1.0], [0, 0, 0, 0], null, 1e-4);
        return withInputs ? e with { Inputs = images, ClassNames = ["cat", "dog", "bird"] } : e;
    }

    [Fact]
    public void From_RendersWithTheExplanationAlone_AsTheHandBuiltData()
    {
        var e = TwoByTwo();
        var data = ImagePlot.From(e);
        Assert.Equal(2, data.N);
        Assert.Equal(2, data.K);
        Assert.Equal([["bird", "cat"], ["bird", "cat"]], data.PanelTitles);
        var byHand = new ImagePlotData(e.Inputs!, e.Values, 2, 2, 1, H, W, [["bird", "cat"], ["bird", "cat"]]);
        byte[] png = ImagePlot.Render(data);
        Assert.True(SyntheticImages.IsPng(png));
        Assert.Equal(ImagePlot.Render(byHand), png);
    }

    [Fact]
    public void From_WithProbabilitiesAndTopK_ShowsTheMostProbableExplainedClass()
    {
        var e = TwoByTwo();
        // Row 0: class 0 is more probable than class 2; row 1: class 2 is.
        float[] probs = [0.7f, 0.2f, 0.1f, 0.1f, 0.3f, 0.6f];
        var data = ImagePlot.From(e, probs, topK: 1, rowLabels: ["a", "b"]);
        Assert.Equal(1, data.K);
        Assert.Equal([["cat (p=0.70)"], ["bird (p=0.60)"]], data.PanelTitles);
        Assert.Equal(["a", "b"], data.RowLabels!);
        Assert.Equal(e.Map(0, 1).ToArray(), data.Values.AsSpan(0, H * W).ToArray());
        Assert.Equal(e.Map(1, 0).ToArray(), data.Values.AsSpan(H * W, H * W).ToArray());
        // Without probabilities the model outputs rank the slots: row 0 has f = 1 (class 2) and 3 (class 0).
        Assert.Equal([["cat"], ["bird"]], ImagePlot.From(e, topK: 1).PanelTitles);
    }

    [Fact]
    public void From_WithoutInputs_OrWithoutClassNames_Explains()
    {
        var noInputs = Assert.Throws<GlassboxException>(() => ImagePlot.From(TwoByTwo(withInputs: false)));
        Assert.Contains("carries no input pixels", noInputs.Message);
        var unnamed = TwoByTwo() with { ClassNames = null };
        Assert.Equal([["2", "0"], ["2", "0"]], ImagePlot.From(unnamed).PanelTitles);
        Assert.Throws<GlassboxException>(() => ImagePlot.From(TwoByTwo(), [0.5f, 0.5f]));
    }
}

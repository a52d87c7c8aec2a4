using Glassbox.Visualization;
using Glassbox.Visualization.Text;
using SkiaSharp;

namespace Glassbox.Tests.Visualization;

public class ImagePlotTests
{
    private const int H = 28, W = 28;

    private static ImagePlotData OneRow(float[] values, int k = 1)
    {
        float[] img = SyntheticImages.Ring(H, W);
        var titles = new[] { Enumerable.Range(0, k).Select(i => $"{i} (p=0.{90 - i})").ToArray() };
        return new ImagePlotData(img, values, 1, k, 1, H, W, titles);
    }

    private static ImagePlotData TwoRowsTwoPanels()
    {
        float[] images = [.. SyntheticImages.Ring(H, W), .. SyntheticImages.Ring(H, W)];
        float[] values =
        [
            .. SyntheticImages.Smooth(H, W), .. SyntheticImages.Smooth(H, W, 0.2),
            .. SyntheticImages.Smooth(H, W).Select(v => v * 30), .. SyntheticImages.Smooth(H, W, -0.1).Select(v => -v * 30),
        ];
        return new ImagePlotData(images, values, 2, 2, 1, H, W,
            [["7 (p=0.98)", "1 (p=0.01)"], ["3 (p=0.61)", "8 (p=0.30)"]], ["#12 label 7", "#40 label 3"]);
    }

    [Fact]
    public void ImagePlot_HasExactSize_FromLayoutOptions()
    {
        var options = new ImagePlotOptions();
        var data = TwoRowsTwoPanels();
        var bmp = SyntheticImages.Decode(ImagePlot.Render(data, options));

        int pw = W * (options.TargetPanelSize / W), ph = H * (options.TargetPanelSize / H);
        int expectedWidth = 2 * options.Margin + 3 * pw + 2 * options.PanelGap + options.ScaleColumnWidth;
        int expectedHeight = 2 * options.Margin + 2 * (options.TitleHeight + ph) + options.RowGap + options.ColorbarAreaHeight;
        Assert.Equal(140, pw);
        Assert.Equal(expectedWidth, bmp.Width);
        Assert.Equal(expectedHeight, bmp.Height);
    }

    [Fact]
    public void ImagePlot_SingleRow_HasNoScaleColumn_AndHonoursPixelScale()
    {
        var options = new ImagePlotOptions { PixelScale = 4, Margin = 5, PanelGap = 3, TitleHeight = 20, ColorbarAreaHeight = 70 };
        var data = OneRow(new float[2 * H * W], k: 2);
        var bmp = SyntheticImages.Decode(ImagePlot.Render(data, options));
        Assert.Equal(2 * 5 + 3 * 112 + 2 * 3, bmp.Width);
        Assert.Equal(2 * 5 + 20 + 112 + 70, bmp.Height);
    }

    [Fact]
    public void ImagePlot_PositivePixelsRed_NegativeBlue_ZeroShowsFaintGrayInput()
    {
        float[] values = SyntheticImages.TwoBlobs(H, W, (2, 8, 2, 8), (20, 26, 20, 26));
        var data = OneRow(values);
        var options = new ImagePlotOptions();
        var layout = ImagePlotLayout.For(data, options);
        var bmp = SyntheticImages.Decode(ImagePlot.Render(data, options));
        int s = layout.PixelScale, left = layout.PanelLeft(1), top = layout.PanelTop(0);
        SKColor At(int y, int x) => bmp.GetPixel(left + x * s + s / 2, top + y * s + s / 2);

        SKColor pos = At(5, 5), neg = At(23, 23);
        Assert.True(pos.Red > pos.Blue + 100, $"positive pixel {pos} should be red-dominant");
        Assert.True(neg.Blue > neg.Red + 100, $"negative pixel {neg} should be blue-dominant");

        float[] img = data.Images;
        foreach (var (y, x) in new[] { (14, 3), (14, 14), (4, 14), (22, 10) })
        {
            SKColor zero = At(y, x);
            int expected = (int)Math.Round(255 * (0.85 + 0.15 * img[y * W + x]));
            Assert.InRange(zero.Red, expected - 2, expected + 2);
            Assert.Equal(zero.Red, zero.Green);
            Assert.Equal(zero.Green, zero.Blue);
        }
    }

    [Fact]
    public void ImagePlot_FirstColumn_ShowsTheInputInGray_AndRgbInColour()
    {
        float[] rgb = SyntheticImages.Rgb(16, 16);
        var data = new ImagePlotData(rgb, new float[3 * 16 * 16], 1, 1, 3, 16, 16, [["cls"]]);
        var layout = ImagePlotLayout.For(data, new ImagePlotOptions());
        var bmp = SyntheticImages.Decode(ImagePlot.Render(data));
        int s = layout.PixelScale;
        SKColor topRight = bmp.GetPixel(layout.PanelLeft(0) + 15 * s + 1, layout.PanelTop(0) + 1);
        Assert.True(topRight.Red > 240 && topRight.Green < 15 && Math.Abs(topRight.Blue - 128) <= 2, $"got {topRight}");
    }

    [Fact]
    public void ImagePlot_DrawsTitleText_EvenWithTheBuiltInFont()
    {
        foreach (var font in new[] { new FontOptions(), new FontOptions(UseBuiltInFont: true) })
        {
            var data = OneRow(new float[H * W]);
            var options = new ImagePlotOptions { Font = font };
            var layout = ImagePlotLayout.For(data, options);
            var bmp = SyntheticImages.Decode(ImagePlot.Render(data, options));
            int dark = 0;
            for (int y = options.Margin; y < layout.PanelTop(0) - 2; y++)
                for (int x = layout.PanelLeft(1); x < layout.PanelLeft(1) + layout.PanelWidth; x++)
                    if (bmp.GetPixel(x, y).Red < 128) dark++;
            Assert.True(dark > 20, $"expected title text pixels above the panel (font {font}), found {dark}");
        }
    }

    [Fact]
    public void ImagePlot_RejectsMismatchedShapes_WithGuidance()
    {
        var data = new ImagePlotData(new float[10], new float[H * W], 1, 1, 1, H, W, [["a"]]);
        var ex = Assert.Throws<GlassboxException>(() => ImagePlot.Render(data));
        Assert.Contains("needs", ex.Message);
    }

    [Fact]
    public void Gallery_WritesSampleImagePlots_WhenRequested()
    {
        if (SyntheticImages.GalleryDir is not { } dir) return;
        ImagePlot.Save(Path.Combine(dir, "image_plot_two_rows.png"), TwoRowsTwoPanels());
        ImagePlot.Save(Path.Combine(dir, "image_plot_one_row.png"), OneRow([.. SyntheticImages.Smooth(H, W), .. SyntheticImages.Smooth(H, W, 0.25), .. SyntheticImages.Smooth(H, W, -0.2)], k: 3));
        ImagePlot.Save(Path.Combine(dir, "image_plot_builtin_font.png"), TwoRowsTwoPanels(), new ImagePlotOptions { Font = new FontOptions(UseBuiltInFont: true) });
        var rgb = new ImagePlotData(SyntheticImages.Rgb(32, 32), [.. SyntheticImages.Smooth(32, 32), .. new float[32 * 32], .. new float[32 * 32]], 1, 1, 3, 32, 32, [["a very long class name that will not fit (p=0.42)"]]);
        ImagePlot.Save(Path.Combine(dir, "image_plot_rgb.png"), rgb);
        PngImage.Save(Path.Combine(dir, "colorbar.png"), DivergingColorbar.Render(0.0123));
    }
}

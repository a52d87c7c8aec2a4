using Glassbox.Visualization;

namespace Glassbox.Tests.Visualization;

public class RobustScaleTests
{
    [Fact]
    public void SymmetricMax_IgnoresASingleHugeOutlier()
    {
        var values = new float[10_000];
        for (int i = 0; i < values.Length; i++) values[i] = (i % 2 == 0 ? 1 : -1) * (i % 100) / 100f;
        values[1234] = 1e6f;
        double vmax = RobustScale.SymmetricMax(values);
        Assert.InRange(vmax, 0.95, 1.0);
    }

    [Fact]
    public void SymmetricMax_InterpolatesLikeNumpy()
    {
        float[] values = [0, -1, 2, -3, 4];
        Assert.Equal(3.996, RobustScale.SymmetricMax(values, 99.9), 6);
        Assert.Equal(2.0, RobustScale.SymmetricMax(values, 50), 6);
        Assert.Equal(0.0, RobustScale.SymmetricMax([], 99.9));
    }

    [Fact]
    public void RowScales_ArePerRow_OverAllPanelsOfTheRow()
    {
        const int h = 4, w = 4;
        float[] values = new float[2 * 2 * h * w];
        for (int i = 0; i < 16; i++) values[i] = 1;          // row 0, panel 0
        for (int i = 16; i < 32; i++) values[i] = -2;        // row 0, panel 1
        for (int i = 32; i < 64; i++) values[i] = 0.5f;      // row 1
        var data = new ImagePlotData(new float[2 * h * w], values, 2, 2, 1, h, w, [["a", "b"], ["c", "d"]]);
        double[] scales = ImagePlot.RowScales(data, new ImagePlotOptions());
        Assert.Equal(2.0, scales[0], 6);
        Assert.Equal(0.5, scales[1], 6);
        double[] shared = ImagePlot.RowScales(data, new ImagePlotOptions { SharedScale = true });
        Assert.All(shared, s => Assert.Equal(2.0, s, 6));
    }

    [Fact]
    public void ShapColors_AreTransparentAtZero_AndOpaqueAtVmax()
    {
        Assert.Equal(0, ShapColors.Map(0, 1).Alpha);
        Assert.Equal(255, ShapColors.Map(2, 1).Alpha);
        Assert.Equal(ShapColors.Positive.WithAlpha(255), ShapColors.Map(1, 1));
        Assert.Equal(ShapColors.Negative.WithAlpha(128), ShapColors.Map(-0.5, 1).WithAlpha(128));
        Assert.Equal(128, ShapColors.Map(-0.5, 1).Alpha);
    }
}

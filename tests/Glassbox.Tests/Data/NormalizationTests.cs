using Glassbox.Data;

namespace Glassbox.Tests.Data;

public class NormalizationTests
{
    private static ImageDataset TwoChannelDataset() =>
        // two images, 2 channels, 1×2 pixels: channel 0 = {0, 2, 4, 6}, channel 1 = {1, 1, 1, 1}
        new([0, 2, 1, 1, 4, 6, 1, 1], 2, 2, 1, 2, [0, 0], ["only"]);

    [Fact]
    public void Compute_GivesPerChannelMeanAndPopulationStd()
    {
        Normalization n = Normalization.Compute(TwoChannelDataset());
        Assert.Equal([3f, 1f], n.Mean);
        Assert.Equal(MathF.Sqrt(5f), n.Std[0], 5);
        Assert.Equal(1f, n.Std[1]);
    }

    [Fact]
    public void Apply_NormalisesEachChannel_AndComputedStatsGiveZeroMeanUnitStd()
    {
        ImageDataset ds = TwoChannelDataset();
        ImageDataset normalised = Normalization.Compute(ds).Apply(ds);
        Normalization after = Normalization.Compute(normalised);
        Assert.Equal(0f, after.Mean[0], 5);
        Assert.Equal(1f, after.Std[0], 5);
        Assert.Equal([0f, 0f, 0f, 0f], new[] { normalised.Pixels[2], normalised.Pixels[3], normalised.Pixels[6], normalised.Pixels[7] });
        Assert.Equal(ds.Pixels, TwoChannelDataset().Pixels);
    }

    [Fact]
    public void Apply_OneImage_UsesChannelPlanes()
    {
        var n = new Normalization([0.5f, 0f, 1f], [0.5f, 2f, 1f]);
        float[] result = n.Apply([1f, 0f, 4f, 2f, 3f, 3f], 3);
        Assert.Equal([1f, -1f, 2f, 1f, 2f, 2f], result);
    }

    [Fact]
    public void Identity_LeavesValuesUnchanged()
    {
        float[] px = [0.1f, 0.7f, 0.3f];
        Assert.Equal(px, Normalization.Identity.Apply(px, 3));
    }

    [Fact]
    public void Constructor_RejectsNonPositiveStdAndLengthMismatch()
    {
        Assert.Throws<GlassboxException>(() => new Normalization([0f], [0f]));
        Assert.Throws<GlassboxException>(() => new Normalization([0f, 1f], [1f]));
        Assert.Throws<GlassboxException>(() => new Normalization([0f, 1f], [1f, 1f]).Apply(new float[9], 3));
    }
}

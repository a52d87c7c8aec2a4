using Glassbox.Attribution;
using Glassbox.Attribution.FeatureMasks;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Attribution.FeatureMasks;

public class SlicMaskTests
{
    private static void AssertDenseConnectedCover(int[] ids, int h, int w)
    {
        Assert.Equal(h * w, ids.Length);
        int count = ids.Max() + 1;
        Assert.All(ids, id => Assert.InRange(id, 0, count - 1));
        Assert.Equal(count, ids.Distinct().Count());
        // Each id is one 4-connected region.
        for (int id = 0; id < count; id++)
        {
            int start = Array.IndexOf(ids, id);
            var seen = new HashSet<int> { start };
            var queue = new Queue<int>([start]);
            while (queue.Count > 0)
            {
                int p = queue.Dequeue(), y = p / w, x = p % w;
                foreach (int q in new[] { y > 0 ? p - w : -1, y < h - 1 ? p + w : -1, x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1 })
                    if (q >= 0 && ids[q] == id && seen.Add(q)) queue.Enqueue(q);
            }
            Assert.Equal(ids.Count(v => v == id), seen.Count);
        }
    }

    [Fact]
    public void Slic_OnTwoFlatRegions_RespectsTheBoundary_WithDenseConnectedIds()
    {
        var img = torch.zeros(1, 20, 20);
        img[0, .., 7..] = torch.tensor(1f); // boundary not on the seed grid
        var slic = new SlicMask(Segments: 16);
        var mask = slic.ForInput(img);
        var pixels = img.data<float>().ToArray();
        AssertDenseConnectedCover(mask.Ids, 20, 20);
        for (int id = 0; id < mask.Count; id++)
        {
            var values = Enumerable.Range(0, 400).Where(p => mask.Ids[p] == id).Select(p => pixels[p]).Distinct().ToArray();
            Assert.Single(values);
        }
        Assert.InRange(mask.Count, 6, 32);
        Assert.False(slic.IsShared);
    }

    [Fact]
    public void Slic_OnColourImage_SeparatesColours_AndSharesTheMaskAcrossChannels()
    {
        var img = torch.zeros(3, 16, 24);
        img[0, ..9, ..] = torch.tensor(0.9f);  // red top
        img[2, 9.., ..] = torch.tensor(0.8f);  // blue bottom
        var mask = new SlicMask(Segments: 12, Compactness: 10).ForInput(img);
        Assert.Equal(3 * 16 * 24, mask.Ids.Length);
        var pixelIds = mask.Ids.Take(16 * 24).ToArray();
        AssertDenseConnectedCover(pixelIds, 16, 24);
        for (int c = 1; c < 3; c++) Assert.Equal(pixelIds, mask.Ids.Skip(c * 16 * 24).Take(16 * 24).ToArray());
        for (int p = 0; p < 16 * 24; p++)
            for (int q = 0; q < 16 * 24; q++)
                if (pixelIds[p] == pixelIds[q]) Assert.Equal(p / 24 < 9, q / 24 < 9);
    }

    [Fact]
    public void Slic_IsDeterministic_AndCoversTexturedImages()
    {
        torch.manual_seed(3);
        var img = torch.rand(1, 28, 28);
        var a = new SlicMask(Segments: 30).ForInput(img);
        var b = new SlicMask(Segments: 30).ForInput(img);
        Assert.Equal(a.Ids, b.Ids);
        AssertDenseConnectedCover(a.Ids, 28, 28);
        Assert.InRange(a.Count, 5, 120);
    }

    [Fact]
    public void Slic_HandlesMoreSegmentsThanPixels_AndRejectsBadSettings()
    {
        var tiny = torch.rand(1, 3, 3);
        var mask = new SlicMask(Segments: 100, MinSizeFactor: 0).ForInput(tiny);
        AssertDenseConnectedCover(mask.Ids, 3, 3);
        Assert.Throws<GlassboxException>(() => new SlicMask(Segments: 0).ForInput(tiny));
        Assert.Throws<GlassboxException>(() => new SlicMask(Compactness: 0).ForInput(tiny));
        Assert.Throws<GlassboxException>(() => new SlicMask(Iterations: 0).ForInput(tiny));
        Assert.Throws<GlassboxException>(() => new SlicMask().ForInput(torch.full(1, 4, 4, float.NaN)));
        Assert.Throws<GlassboxException>(() => new SlicMask().ForInput(torch.rand(1, 1, 4, 4)));
    }
}

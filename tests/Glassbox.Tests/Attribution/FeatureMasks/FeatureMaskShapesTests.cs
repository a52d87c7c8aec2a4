using Glassbox.Attribution.FeatureMasks;
using Glassbox.IO;
using Glassbox.Tests.Data;

namespace Glassbox.Tests.Attribution.FeatureMasks;

/// <summary>Captum's feature-mask shapes against the shared reference masks (Captum's 1×1×8×8 and the same 8×8).</summary>
public class FeatureMaskShapesTests
{
    // The reference fixtures in the repository (tests/fixtures/reference), else the shared copy they come from.
    private static NpyArray Load(string name)
    {
        string[] folders = [Path.Combine(RepoPaths.Root, "tests", "fixtures", "reference"), "/work/shared/reference"];
        string? path = folders.Select(f => Path.Combine(f, name)).FirstOrDefault(File.Exists);
        Assert.True(path is not null, $"The reference mask {name} is in none of {string.Join(", ", folders)}.");
        return NpyFile.Read(path!);
    }

    // The reference's definition: a 4×4 grid of 2×2 patches, id = (row / 2)·4 + col / 2.
    private static int Expected(int y, int x) => y / 2 * 4 + x / 2;

    private static long[] Tile(long[] plane, int copies) => Enumerable.Repeat(plane, copies).SelectMany(p => p).ToArray();

    [Fact]
    public void ReferenceMasks_InEveryCaptumShape_GiveTheSameGrid()
    {
        var captum = Load("feature_mask.npy");
        var plain = Load("feature_mask_8x8.npy");
        Assert.Equal(new[] { 1, 1, 8, 8 }, captum.Shape);
        Assert.Equal(new[] { 8, 8 }, plain.Shape);
        var ids = (long[])captum.Data;
        Assert.Equal(ids, (long[])plain.Data);

        foreach (int c in new[] { 1, 3 })
        {
            var cases = new (Array Ids, int[] Shape)[]
            {
                (plain.Data, plain.Shape),
                (captum.Data, captum.Shape),
                (ids, [1, 8, 8]),
                (Tile(ids, c), [c, 8, 8]),
                (Tile(ids, c), [1, c, 8, 8]),
                (Tile(ids, 2 * c), [2, c, 8, 8]),
                (Tile(ids, 2), [2, 1, 8, 8]),
                (ids.Select(v => (int)v).ToArray(), [8, 8]),
                (ids.Select(v => (byte)v).ToArray(), [1, 1, 8, 8]),
            };
            foreach (var (data, shape) in cases)
            {
                var mask = FeatureMask.FromIds(data, shape, c, 8, 8, inputs: 2);
                Assert.Equal((c, 8, 8, 16), (mask.Channels, mask.Height, mask.Width, mask.Count));
                for (int ch = 0; ch < c; ch++)
                    for (int y = 0; y < 8; y++)
                        for (int x = 0; x < 8; x++)
                            Assert.Equal(Expected(y, x), mask.Ids[(ch * 8 + y) * 8 + x]);
                Assert.Equal(GridMask.Create(c, 8, 8, 2).Ids, mask.Ids);
            }
        }
    }

    [Fact]
    public void ChannelMask_KeepsChannelsApart_AndSizeOneDimensionsBroadcast()
    {
        var ids = Tile((long[])Load("feature_mask.npy").Data, 3);
        for (int e = 64; e < 128; e++) ids[e] += 16;
        for (int e = 128; e < 192; e++) ids[e] += 32;
        var mask = FeatureMask.FromIds(ids, [1, 3, 8, 8], 3, 8, 8);
        Assert.Equal(48, mask.Count);
        Assert.Equal(16 + Expected(5, 6), mask.Ids[(1 * 8 + 5) * 8 + 6]);

        var perChannel = FeatureMask.FromIds(new long[] { 0, 1, 2 }, [3, 1, 1], 3, 8, 8);
        Assert.Equal(3, perChannel.Count);
        Assert.All(Enumerable.Range(0, 192), e => Assert.Equal(e / 64, perChannel.Ids[e]));
    }

    [Fact]
    public void BadMasks_GiveClearErrors()
    {
        var ids = (long[])Load("feature_mask.npy").Data;
        string Error(Array data, int[] shape, int c = 1, int? n = null)
            => Assert.Throws<GlassboxException>(() => FeatureMask.FromIds(data, shape, c, 8, 8, n)).Message;

        var differs = Tile(ids, 2);
        differs[64] = 1; differs[65] = 0;
        Assert.Contains("input 1's mask differs from input 0's", Error(differs, [2, 1, 8, 8]));
        Assert.Contains("2 masks for 3 inputs", Error(Tile(ids, 2), [2, 1, 8, 8], n: 3));
        Assert.Contains("its channels is 2, not 1 or 3", Error(Tile(ids, 2), [2, 8, 8], c: 3));
        Assert.Contains("must broadcast", Error(ids, [64]));
        Assert.Contains("does not broadcast", Error(new long[49], [7, 7]));

        var huge = (long[])ids.Clone();
        huge[0] = 1L << 32;
        Assert.Contains("below 2^31", Error(huge, [8, 8]));
        huge[0] = int.MaxValue + 1L;
        Assert.Contains("below 2^31", Error(huge, [8, 8]));
        Assert.Contains("below 2^31", Error(ids.Select(v => v == 0 ? ulong.MaxValue : (ulong)v).ToArray(), [8, 8]));
        var negative = (long[])ids.Clone();
        negative[3] = -1;
        Assert.Contains("non-negative", Error(negative, [8, 8]));
        Assert.Contains("integers", Error(new float[64], [8, 8]));
        Assert.Contains("non-negative", Error(ids.Select(v => v == 0 ? (sbyte)-1 : (sbyte)v).ToArray(), [8, 8]));
        Assert.Contains("below 2^31", Error(ids.Select(v => v == 0 ? uint.MaxValue : (uint)v).ToArray(), [8, 8]));

        // The largest allowed id is accepted by the range check and then reported as leaving gaps, without a huge allocation.
        var sparse = (long[])ids.Clone();
        sparse[0] = int.MaxValue;
        Assert.Contains("none missing", Error(sparse, [8, 8]));
    }
}

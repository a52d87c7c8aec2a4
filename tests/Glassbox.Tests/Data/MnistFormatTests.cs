using Glassbox.Data;
using Glassbox.Tests.IO;

namespace Glassbox.Tests.Data;

public class MnistFormatTests
{
    private static void WriteSplit(string folder, string prefix, byte[] labels, bool gzip, int size = 4)
    {
        string ext = gzip ? ".gz" : "";
        var pixels = new byte[labels.Length * size * size];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i % 256);
        IdxFile.Write(Path.Combine(folder, $"{prefix}-images-idx3-ubyte{ext}"), [labels.Length, size, size], pixels, gzip);
        IdxFile.Write(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte{ext}"), [labels.Length], labels, gzip);
    }

    [Fact]
    public void Mnist_Load_ScalesPixelsAndKeepsLabels()
    {
        using var dir = new TempDirectory();
        WriteSplit(dir.Path, "train", [3, 1, 9], gzip: false);
        ImageDataset ds = MnistFormat.Load(dir.File("train-images-idx3-ubyte"), dir.File("train-labels-idx1-ubyte"));
        Assert.Equal((3, 1, 4, 4), (ds.Count, ds.Channels, ds.Height, ds.Width));
        Assert.Equal([3, 1, 9], ds.Labels);
        Assert.Equal(10, ds.ClassNames.Count);
        Assert.Equal(17 / 255f, ds.Pixels[17]);
    }

    [Fact]
    public void Mnist_Rejects_MismatchedImageAndLabelCounts()
    {
        using var dir = new TempDirectory();
        WriteSplit(dir.Path, "train", [1, 2, 3], gzip: true);
        IdxFile.Write(dir.File("short-labels"), [2], [1, 2], gzip: false);
        var e = Assert.Throws<GlassboxException>(() => MnistFormat.Load(dir.File("train-images-idx3-ubyte.gz"), dir.File("short-labels")));
        Assert.Contains("has 3 images", e.Message);
        Assert.Contains("has 2 labels", e.Message);
        Assert.Contains("short-labels", e.Message);
    }

    [Fact]
    public void Mnist_Rejects_LabelOutsideClasses()
    {
        using var dir = new TempDirectory();
        WriteSplit(dir.Path, "t10k", [0, 1, 2], gzip: false);
        var e = Assert.Throws<GlassboxException>(() =>
            MnistFormat.Load(dir.File("t10k-images-idx3-ubyte"), dir.File("t10k-labels-idx1-ubyte"), ["a", "b"]));
        Assert.Contains("Label 2 of item 2", e.Message);
        Assert.Contains("outside the 2 classes", e.Message);
    }

    [Fact]
    public void Mnist_Rejects_ImagesWithWrongRank()
    {
        using var dir = new TempDirectory();
        IdxFile.Write(dir.File("img"), [2, 16], new byte[32], gzip: false);
        IdxFile.Write(dir.File("lab"), [2], [0, 1], gzip: false);
        var e = Assert.Throws<GlassboxException>(() => MnistFormat.Load(dir.File("img"), dir.File("lab")));
        Assert.Contains("MNIST images need 3", e.Message);
    }

    [Fact]
    public void Mnist_LoadFolder_FindsRawAndGzipFiles()
    {
        using var dir = new TempDirectory();
        WriteSplit(dir.Path, "train", [1, 2], gzip: false);
        WriteSplit(dir.Path, "t10k", [3, 4, 5], gzip: true);
        Assert.Equal(2, MnistFormat.LoadFolder(dir.Path, "train").Count);
        Assert.Equal([3, 4, 5], MnistFormat.LoadFolder(dir.Path, "test").Labels);
    }

    [Fact]
    public void Mnist_LoadFolder_ExplainsMissingFilesAndUnknownSplit()
    {
        using var dir = new TempDirectory();
        var missing = Assert.Throws<GlassboxException>(() => MnistFormat.LoadFolder(dir.Path, "train"));
        Assert.Contains("train-images-idx3-ubyte.gz", missing.Message);
        var split = Assert.Throws<GlassboxException>(() => MnistFormat.LoadFolder(dir.Path, "validation"));
        Assert.Contains("\"train\" or \"test\"", split.Message);
    }

    [Fact]
    public void Mnist_LoadFolder_UsesClassNamesHint()
    {
        using var dir = new TempDirectory();
        WriteSplit(dir.Path, "train", [0, 2], gzip: false);
        File.WriteAllLines(dir.File(MnistFormat.ClassNamesFileName), ["zero", "one", "two", ""]);
        Assert.Equal(["zero", "one", "two"], MnistFormat.LoadFolder(dir.Path, "train").ClassNames);
    }

    [Fact]
    public void Mnist_LoadFolder_UsesFashionNamesForFashionFolder()
    {
        using var dir = new TempDirectory();
        string folder = Path.Combine(dir.Path, "Fashion-MNIST");
        Directory.CreateDirectory(folder);
        WriteSplit(folder, "t10k", [9], gzip: true);
        ImageDataset ds = MnistFormat.LoadFolder(folder, "test");
        Assert.Equal("Ankle boot", ds.ClassNames[ds.Labels[0]]);
    }

    [Fact]
    public void ShippedSample_Loads_8000TrainAnd2000TestImages_Stratified()
    {
        ImageDataset train = MnistFormat.LoadFolder(RepoPaths.MnistSample, "train");
        ImageDataset test = MnistFormat.LoadFolder(RepoPaths.MnistSample, "test");
        Assert.Equal((8000, 1, 28, 28), (train.Count, train.Channels, train.Height, train.Width));
        Assert.Equal((2000, 1, 28, 28), (test.Count, test.Channels, test.Height, test.Width));
        Assert.Equal(MnistFormat.DigitClassNames, train.ClassNames);
        Assert.Equal(10, test.ClassNames.Count);
        Assert.All(new[] { train, test }, ds =>
        {
            Assert.True(ds.Pixels.All(v => v >= 0f && v <= 1f));
            Assert.Contains(ds.Pixels, v => v == 1f);
        });
        int[] trainCounts = Enumerable.Range(0, 10).Select(c => train.Labels.Count(l => l == c)).ToArray();
        int[] testCounts = Enumerable.Range(0, 10).Select(c => test.Labels.Count(l => l == c)).ToArray();
        for (int c = 0; c < 10; c++)
        {
            Assert.True(testCounts[c] > 0);
            double gap = Math.Abs(100.0 * trainCounts[c] / train.Count - 100.0 * testCounts[c] / test.Count);
            Assert.True(gap <= 1.0, $"class {c}: train {trainCounts[c]}/8000, test {testCounts[c]}/2000");
        }
    }

    [Fact]
    public void FashionMnist_DebianPackageFolder_LoadsWithFashionNames()
    {
        const string folder = "/usr/share/datasets/fashion-mnist";
        if (!Directory.Exists(folder))
            return; // Debian's dataset-fashion-mnist is not installed on this machine.
        ImageDataset test = MnistFormat.LoadFolder(folder, "test");
        Assert.Equal((10000, 1, 28, 28), (test.Count, test.Channels, test.Height, test.Width));
        Assert.Equal(MnistFormat.FashionClassNames, test.ClassNames);
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(1000, test.Labels.Count(l => l == c)));
    }
}

using Glassbox.Data;
using Glassbox.Tests.IO;
using SkiaSharp;

namespace Glassbox.Tests.Data;

public class ImageFolderTests
{
    private static void WriteImage(string path, int width, int height, SKColor color, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bitmap.Erase(color);
        bitmap.SetPixel(0, 0, new SKColor(255, 255, 255));
        using SKData data = bitmap.Encode(format, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    [Fact]
    public void ImageFolder_Loads_SortedClassesAndRgbChw()
    {
        using var dir = new TempDirectory();
        WriteImage(Path.Combine(dir.Path, "zebra", "b.png"), 3, 2, new SKColor(255, 0, 0));
        WriteImage(Path.Combine(dir.Path, "zebra", "a.png"), 3, 2, new SKColor(0, 0, 255));
        WriteImage(Path.Combine(dir.Path, "ant", "x.PNG"), 3, 2, new SKColor(0, 255, 0));
        File.WriteAllText(Path.Combine(dir.Path, "ant", "notes.txt"), "not an image");

        ImageDataset ds = ImageFolder.Load(dir.Path);
        Assert.Equal(["ant", "zebra"], ds.ClassNames);
        Assert.Equal((3, 3, 2, 3), (ds.Count, ds.Channels, ds.Height, ds.Width));
        Assert.Equal([0, 1, 1], ds.Labels);
        int plane = 6, image = 18;
        // image 0 (ant/x): green; pixel (0,0) white
        Assert.Equal(1f, ds.Pixels[0]);
        Assert.Equal(0f, ds.Pixels[1]);
        Assert.Equal(1f, ds.Pixels[plane + 1]);
        // image 1 (zebra/a.png): blue
        Assert.Equal(1f, ds.Pixels[image + 2 * plane + 5]);
        Assert.Equal(0f, ds.Pixels[image + 5]);
        // image 2 (zebra/b.png): red
        Assert.Equal(1f, ds.Pixels[2 * image + 5]);
    }

    [Fact]
    public void ImageFolder_Grayscale_UsesLuma()
    {
        using var dir = new TempDirectory();
        WriteImage(Path.Combine(dir.Path, "c", "a.png"), 2, 2, new SKColor(255, 0, 0));
        ImageDataset ds = ImageFolder.Load(dir.Path, new ImageLoadOptions(Channels: 1));
        Assert.Equal(1, ds.Channels);
        Assert.Equal(1f, ds.Pixels[0], 5);
        Assert.Equal(0.299f, ds.Pixels[3], 5);
    }

    [Fact]
    public void ImageFolder_Resizes_ToTargetSize()
    {
        using var dir = new TempDirectory();
        WriteImage(Path.Combine(dir.Path, "a", "big.png"), 40, 30, new SKColor(0, 0, 0));
        WriteImage(Path.Combine(dir.Path, "b", "small.jpg"), 10, 12, new SKColor(128, 128, 128), SKEncodedImageFormat.Jpeg);
        ImageDataset ds = ImageFolder.Load(dir.Path, new ImageLoadOptions(Channels: 3, Height: 16, Width: 8));
        Assert.Equal((2, 3, 16, 8), (ds.Count, ds.Channels, ds.Height, ds.Width));
        Assert.InRange(ds.Pixels[ds.ImageSize + 3 * 8 + 4], 0.45f, 0.55f);
    }

    [Fact]
    public void ImageFolder_Rejects_ImageOfDifferentSize_NamingTheFile()
    {
        using var dir = new TempDirectory();
        WriteImage(Path.Combine(dir.Path, "a", "1.png"), 4, 4, SKColors.Black);
        string odd = Path.Combine(dir.Path, "b", "odd.png");
        WriteImage(odd, 5, 4, SKColors.Black);
        var e = Assert.Throws<GlassboxException>(() => ImageFolder.Load(dir.Path));
        Assert.Contains(odd, e.Message);
        Assert.Contains("4×5", e.Message);
        Assert.Contains("4×4", e.Message);
    }

    [Fact]
    public void ImageFolder_Rejects_UnreadableImage_NamingTheFile()
    {
        using var dir = new TempDirectory();
        WriteImage(Path.Combine(dir.Path, "a", "1.png"), 4, 4, SKColors.Black);
        string bad = Path.Combine(dir.Path, "a", "2.png");
        File.WriteAllText(bad, "this is not a PNG");
        var e = Assert.Throws<GlassboxException>(() => ImageFolder.Load(dir.Path));
        Assert.Contains(bad, e.Message);
        Assert.Contains("Cannot read image", e.Message);
    }

    [Fact]
    public void ImageFolder_Rejects_FolderWithoutClassFolders()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<GlassboxException>(() => ImageFolder.Load(dir.Path));
        Assert.Contains("no subfolders", e.Message);
    }

    [Fact]
    public void ImageFolder_Rejects_InconsistentOptions()
    {
        using var dir = new TempDirectory();
        Assert.Throws<GlassboxException>(() => ImageFolder.Load(dir.Path, new ImageLoadOptions(Channels: 2)));
        Assert.Throws<GlassboxException>(() => ImageFolder.Load(dir.Path, new ImageLoadOptions(Height: 28)));
    }

    [Fact]
    public void ImageFile_Load_ResizesToModelInput()
    {
        using var dir = new TempDirectory();
        string path = dir.File("digit.png");
        WriteImage(path, 56, 56, SKColors.White);
        float[] x = ImageFile.Load(path, 1, 28, 28);
        Assert.Equal(28 * 28, x.Length);
        Assert.All(x, v => Assert.Equal(1f, v, 3));
    }

    [Fact]
    public void ImageFile_Load_ExplainsMissingFile()
    {
        var e = Assert.Throws<GlassboxException>(() => ImageFile.Load("/nonexistent/glassbox/x.png", 3, 8, 8));
        Assert.Contains("does not exist", e.Message);
    }
}

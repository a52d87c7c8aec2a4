using Glassbox.Data;
using Glassbox.IO;
using Glassbox.Models;
using Glassbox.Tests.IO;
using SkiaSharp;

namespace Glassbox.Tests.Cli;

public class InputImagesTests
{
    private static readonly ModelInfo Gray28 = new("custom", 1, 28, 28, MnistFormat.DigitClassNames);

    [Fact]
    public void Uint8Npy_NxHxW_IsDividedBy255()
    {
        using var dir = new TempDirectory();
        var bytes = new byte[2 * 28 * 28];
        bytes[0] = 255; bytes[1] = 51; bytes[2] = 1; bytes[784] = 128;
        NpyFile.Write(dir.File("u8.npy"), bytes, [2, 28, 28]);

        var (px, n, names) = InputImages.Load(dir.File("u8.npy"), Gray28);
        Assert.Equal(2, n);
        Assert.Equal(2 * 784, px.Length);
        Assert.Equal(1f, px[0]);
        Assert.Equal(0.2f, px[1], 1e-7f);
        Assert.Equal(1 / 255f, px[2], 1e-9f);
        Assert.Equal(0f, px[3]);
        Assert.Equal(128 / 255f, px[784], 1e-7f);
        Assert.Equal(new[] { "u8.npy[0]", "u8.npy[1]" }, names);
    }

    [Fact]
    public void FloatNpy_InUnitRange_IsKept_InEveryAcceptedLayout()
    {
        using var dir = new TempDirectory();
        var img = Enumerable.Range(0, 784).Select(i => i / 783f).ToArray();
        NpyFile.Write(dir.File("hw.npy"), img, [28, 28]);
        NpyFile.Write(dir.File("nchw.npy"), img.Concat(img).ToArray(), [2, 1, 28, 28]);
        var (a, na, _) = InputImages.Load(dir.File("hw.npy"), Gray28);
        var (b, nb, _) = InputImages.Load(dir.File("nchw.npy"), Gray28);
        Assert.Equal(1, na);
        Assert.Equal(2, nb);
        Assert.Equal(img, a);
        Assert.Equal(img, b[784..]);
    }

    [Fact]
    public void FloatNpy_WithValuesAbove1_IsRejected_WithAHint()
    {
        using var dir = new TempDirectory();
        var img = new float[784];
        img[10] = 255f;
        NpyFile.Write(dir.File("f.npy"), img, [1, 28, 28]);
        var ex = Assert.Throws<GlassboxException>(() => InputImages.Load(dir.File("f.npy"), Gray28));
        Assert.Contains("has pixel value 255", ex.Message);
        Assert.Contains("inputs must be in [0,1]", ex.Message);
        Assert.Contains("divide 0–255 data by 255", ex.Message);

        img[10] = float.NaN;
        NpyFile.Write(dir.File("nan.npy"), img, [1, 28, 28]);
        Assert.Contains("NaN", Assert.Throws<GlassboxException>(() => InputImages.Load(dir.File("nan.npy"), Gray28)).Message);
    }

    [Fact]
    public void Npy_WrongShapeOrEmpty_IsRejected()
    {
        using var dir = new TempDirectory();
        NpyFile.Write(dir.File("w.npy"), new float[3 * 28 * 27], [3, 28, 27]);
        var ex = Assert.Throws<GlassboxException>(() => InputImages.Load(dir.File("w.npy"), Gray28));
        Assert.Contains("has shape (3, 28, 27) but the model expects N×1×28×28, N×28×28 or 28×28.", ex.Message);
        NpyFile.Write(dir.File("e.npy"), Array.Empty<float>(), [0, 28, 28]);
        Assert.Contains("holds no images", Assert.Throws<GlassboxException>(() => InputImages.Load(dir.File("e.npy"), Gray28)).Message);
        Assert.Contains("does not exist", Assert.Throws<GlassboxException>(() => InputImages.Load(dir.File("none.npy"), Gray28)).Message);
        File.WriteAllText(dir.File("x.csv"), "1,2");
        Assert.Contains("neither a .npy file", Assert.Throws<GlassboxException>(() => InputImages.Load(dir.File("x.csv"), Gray28)).Message);
    }

    private static void WritePng(string path, int size, Func<int, int, byte> gray)
    {
        using var bmp = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul));
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                byte g = gray(x, y);
                bmp.SetPixel(x, y, new SKColor(g, g, g, 255));
            }
        using var data = bmp.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    [Fact]
    public void PngFolder_IsLoadedInNameOrder_AsGrayscaleInUnitRange_IgnoringOtherFiles()
    {
        using var dir = new TempDirectory();
        string folder = Path.Combine(dir.Path, "pngs");
        Directory.CreateDirectory(folder);
        WritePng(Path.Combine(folder, "b.png"), 28, (x, y) => 255);              // white
        WritePng(Path.Combine(folder, "a.png"), 28, (x, y) => x < 14 ? (byte)0 : (byte)255); // left half black
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "ignored");

        var (px, n, names) = InputImages.Load(folder, Gray28);
        Assert.Equal(2, n);
        Assert.Equal(new[] { "a.png", "b.png" }, names);
        Assert.Equal(2 * 784, px.Length);
        Assert.Equal(0f, px[5 * 28 + 3], 1e-6f);   // a.png, row 5, column 3
        Assert.Equal(1f, px[5 * 28 + 20], 1e-6f);  // a.png, row 5, column 20
        Assert.All(px[784..], v => Assert.Equal(1f, v, 1e-6f));
    }

    [Fact]
    public void PngOfAnotherSize_IsResizedToTheModelInput()
    {
        using var dir = new TempDirectory();
        WritePng(dir.File("big.png"), 56, (x, y) => 255);
        var (px, n, names) = InputImages.Load(dir.File("big.png"), Gray28);
        Assert.Equal(1, n);
        Assert.Equal(784, px.Length);
        Assert.All(px, v => Assert.Equal(1f, v, 1e-5f));
        Assert.Equal(new[] { "big.png" }, names);
    }

    [Fact]
    public void FolderWithoutImages_IsRejected()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("a.txt"), "x");
        Assert.Contains("holds no PNG or JPEG images", Assert.Throws<GlassboxException>(() => InputImages.Load(dir.Path, Gray28)).Message);
    }
}

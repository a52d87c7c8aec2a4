using System.Globalization;
using System.Text;
using Glassbox.IO;
using SkiaSharp;

namespace Glassbox.Data.Synthetic;

/// <summary>Settings for <see cref="FactorSprites"/>.</summary>
/// <param name="Seed">Seeds the order of the images (and which grid points are kept when <paramref name="Count"/> is smaller than the grid).</param>
/// <param name="Count">Images to write; null = every combination of factor values once (<see cref="FactorSprites.GridSize"/>).</param>
public sealed record FactorSpritesOptions(int Seed = 0, int? Count = null);

/// <summary>A rendered factors set: images, their factor indices and the test split.</summary>
/// <param name="Pixels">N×28×28 bytes (white shape on black).</param>
/// <param name="Factors">N×5 factor value indices, row-major, in the order of <see cref="FactorSprites.FactorNames"/>.</param>
/// <param name="Count">N.</param>
/// <param name="Options">The settings that made the set.</param>
public sealed record FactorSpritesSet(byte[] Pixels, int[] Factors, int Count, FactorSpritesOptions Options)
{
    /// <summary>The images as a one-channel dataset with pixels / 255, labelled by shape.</summary>
    public ImageDataset ToDataset()
        => new(Pixels.Select(b => b / 255f).ToArray(), Count, 1, FactorSprites.Size, FactorSprites.Size,
            Enumerable.Range(0, Count).Select(i => Factors[i * FactorSprites.FactorCount]).ToArray(), FactorSprites.ShapeNames);

    /// <summary>Factor <paramref name="factor"/>'s value index for every image.</summary>
    public int[] Factor(int factor) => Enumerable.Range(0, Count).Select(i => Factors[i * FactorSprites.FactorCount + factor]).ToArray();
}

/// <summary>
/// A dSprites-like set with known generative factors (Matthey et al. 2017, the data set of Higgins et al. 2017 and
/// of disentanglement_lib): one white shape on black, 28×28 so the MNIST-sized generators fit, rendered antialiased in
/// code — no download. Five factors, each on a fixed grid of values: shape (square, ellipse, heart), scale (5 values
/// 0.5–1), orientation (8 values over [0, 2π), as dSprites the symmetric shapes repeat: a square looks the same at 0
/// and π/2), x and y position (8 values each, centres 9–19 px). The full grid is 3·5·8·8·8 = 7,680 images;
/// <see cref="Create"/> is deterministic for given options.
/// </summary>
public static class FactorSprites
{
    /// <summary>Image side in pixels.</summary>
    public const int Size = 28;

    /// <summary>Number of factors.</summary>
    public const int FactorCount = 5;

    /// <summary>File name of the N×5 int32 factor indices, aligned with the training images.</summary>
    public const string FactorsFileName = "factors.npy";

    /// <summary>File name of the test split's factor indices (aligned with the t10k images).</summary>
    public const string TestFactorsFileName = "factors-test.npy";

    /// <summary>Test images written beside the training split (drawn from the same grid).</summary>
    public const int TestCount = 1000;

    /// <summary>The factors, in column order of <see cref="FactorsFileName"/>.</summary>
    public static IReadOnlyList<string> FactorNames { get; } = Array.AsReadOnly(new[] { "shape", "scale", "orientation", "x", "y" });

    /// <summary>Number of values of each factor.</summary>
    public static IReadOnlyList<int> FactorSizes { get; } = Array.AsReadOnly(new[] { 3, 5, 8, 8, 8 });

    /// <summary>Which factors are continuous quantities on their grid (all but shape).</summary>
    public static IReadOnlyList<bool> Continuous { get; } = Array.AsReadOnly(new[] { false, true, true, true, true });

    /// <summary>The shape names (the labels written to the IDX files).</summary>
    public static IReadOnlyList<string> ShapeNames { get; } = Array.AsReadOnly(new[] { "square", "ellipse", "heart" });

    /// <summary>Number of distinct factor combinations.</summary>
    public static int GridSize => FactorSizes.Aggregate(1, (a, b) => a * b);

    /// <summary>Renders the set (every grid point once, shuffled by the seed, or <see cref="FactorSpritesOptions.Count"/> of them).</summary>
    public static FactorSpritesSet Create(FactorSpritesOptions? options = null)
    {
        var o = options ?? new FactorSpritesOptions();
        int grid = GridSize;
        int n = o.Count ?? grid;
        if (n < 1 || n > grid)
            throw new GlassboxException($"A factors set holds 1 to {grid} images (every factor combination once), not {n}.");
        var order = Enumerable.Range(0, grid).ToArray();
        var rng = new Random(o.Seed);
        rng.Shuffle(order);
        var factors = new int[n * FactorCount];
        var pixels = new byte[n * Size * Size];
        for (int i = 0; i < n; i++)
        {
            var f = Unravel(order[i]);
            Array.Copy(f, 0, factors, i * FactorCount, FactorCount);
            Render(f, pixels.AsSpan(i * Size * Size, Size * Size));
        }
        return new FactorSpritesSet(pixels, factors, n, o);
    }

    /// <summary>The factor indices of grid point <paramref name="index"/> (mixed radix, shape slowest).</summary>
    public static int[] Unravel(int index)
    {
        if (index < 0 || index >= GridSize) throw new ArgumentOutOfRangeException(nameof(index));
        var f = new int[FactorCount];
        for (int k = FactorCount - 1; k >= 0; k--)
        {
            f[k] = index % FactorSizes[k];
            index /= FactorSizes[k];
        }
        return f;
    }

    /// <summary>Renders one image of the given factor indices into <paramref name="target"/> (28·28 bytes).</summary>
    public static void Render(IReadOnlyList<int> factors, Span<byte> target)
    {
        if (factors.Count != FactorCount) throw new GlassboxException($"A sprite has {FactorCount} factors, not {factors.Count}.");
        for (int k = 0; k < FactorCount; k++)
            if (factors[k] < 0 || factors[k] >= FactorSizes[k])
                throw new GlassboxException($"Factor {FactorNames[k]} takes values 0–{FactorSizes[k] - 1}, not {factors[k]}.");
        if (target.Length != Size * Size) throw new GlassboxException($"A sprite needs {Size * Size} bytes, not {target.Length}.");
        double scale = 0.5 + 0.5 * factors[1] / (FactorSizes[1] - 1);
        double angle = 360.0 * factors[2] / FactorSizes[2];
        double x = 9 + 10.0 * factors[3] / (FactorSizes[3] - 1);
        double y = 9 + 10.0 * factors[4] / (FactorSizes[4] - 1);
        const float radius = 7f;

        var info = new SKImageInfo(Size, Size, SKColorType.Gray8, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        using (var canvas = new SKCanvas(bitmap))
        using (var paint = new SKPaint { Color = SKColors.White, IsAntialias = true, Style = SKPaintStyle.Fill })
        using (var path = Shape(factors[0], radius))
        {
            canvas.Clear(SKColors.Black);
            canvas.Translate((float)x, (float)y);
            canvas.RotateDegrees((float)angle);
            canvas.Scale((float)scale);
            canvas.DrawPath(path, paint);
        }
        bitmap.GetPixelSpan().CopyTo(target);
    }

    private static SKPath Shape(int shape, float r)
    {
        using var builder = new SKPathBuilder();
        switch (shape)
        {
            case 0:
                float s = 0.8f * r;
                builder.MoveTo(-s, -s);
                builder.LineTo(s, -s);
                builder.LineTo(s, s);
                builder.LineTo(-s, s);
                break;
            case 1:
                // An ellipse with axes r and r/2, as a fine polygon.
                for (int i = 0; i < 96; i++)
                {
                    double t = 2 * Math.PI * i / 96;
                    float ex = (float)(r * Math.Cos(t)), ey = (float)(0.5 * r * Math.Sin(t));
                    if (i == 0) builder.MoveTo(ex, ey);
                    else builder.LineTo(ex, ey);
                }
                break;
            default:
                // The classic heart curve x = 16 sin³t, y = 13 cos t − 5 cos 2t − 2 cos 3t − cos 4t, scaled to the radius.
                for (int i = 0; i < 96; i++)
                {
                    double t = 2 * Math.PI * i / 96;
                    float hx = (float)(16 * Math.Pow(Math.Sin(t), 3)) * r / 17f;
                    float hy = -(float)(13 * Math.Cos(t) - 5 * Math.Cos(2 * t) - 2 * Math.Cos(3 * t) - Math.Cos(4 * t) + 2.5) * r / 17f;
                    if (i == 0) builder.MoveTo(hx, hy);
                    else builder.LineTo(hx, hy);
                }
                break;
        }
        builder.Close();
        return builder.Detach();
    }

    /// <summary>
    /// Writes <paramref name="set"/> into <paramref name="folder"/> as an MNIST-format folder: the images as the train
    /// split (labels = shape) with <see cref="FactorsFileName"/>, a <see cref="TestCount"/>-image test split rendered from
    /// other grid points (labels = shape) with <see cref="TestFactorsFileName"/>, classes.txt (the shape names) and a README.
    /// </summary>
    public static void Write(FactorSpritesSet set, string folder)
    {
        Directory.CreateDirectory(folder);
        WriteSplit(set, folder, "train", FactorsFileName);
        var test = Create(new FactorSpritesOptions(set.Options.Seed + 1, Math.Min(TestCount, GridSize)));
        WriteSplit(test, folder, "t10k", TestFactorsFileName);
        AtomicFile.WriteAllText(Path.Combine(folder, MnistFormat.ClassNamesFileName), string.Join("\n", ShapeNames) + "\n");
        AtomicFile.WriteAllText(Path.Combine(folder, "README.md"), Readme(set));
    }

    /// <summary>Reads the N×5 factor indices of a folder written by <see cref="Write"/> and checks them against the grid.</summary>
    public static int[] ReadFactors(string folder, int expectedCount, string fileName = FactorsFileName)
    {
        string path = Path.Combine(folder, fileName);
        if (!File.Exists(path))
            throw new GlassboxException($"'{folder}' has no {fileName}: disentanglement needs the synthetic factors set; make it with `glassbox make-factors -o {folder}`.");
        var array = NpyFile.Read(path);
        if (array.Shape.Length != 2 || array.Shape[0] != expectedCount || array.Shape[1] != FactorCount)
            throw new GlassboxException($"'{path}' is {string.Join("×", array.Shape)}, not {expectedCount}×{FactorCount} factor indices aligned with the images; write the folder again with `glassbox make-factors`.");
        var values = array.ToFloat32();
        var f = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            int k = i % FactorCount;
            double v = values[i];
            if (v != Math.Floor(v) || v < 0 || v >= FactorSizes[k])
                throw new GlassboxException($"'{path}' holds {v} for factor {FactorNames[k]}, which takes values 0–{FactorSizes[k] - 1}; write the folder again with `glassbox make-factors`.");
            f[i] = (int)v;
        }
        return f;
    }

    private static void WriteSplit(FactorSpritesSet set, string folder, string prefix, string factorsFile)
    {
        IdxFile.Write(Path.Combine(folder, $"{prefix}-images-idx3-ubyte.gz"), [set.Count, Size, Size], set.Pixels, gzip: true);
        IdxFile.Write(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte.gz"), [set.Count],
            Enumerable.Range(0, set.Count).Select(i => (byte)set.Factors[i * FactorCount]).ToArray(), gzip: true);
        NpyFile.Write(Path.Combine(folder, factorsFile), set.Factors, [set.Count, FactorCount]);
    }

    private static string Readme(FactorSpritesSet set)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("# Factor sprites (a dSprites-like set with known factors)\n\n");
        string count = set.Options.Count is int c ? $" -n {c}" : "";
        sb.Append(ci, $"Made by `glassbox make-factors --seed {set.Options.Seed}{count}` (`Glassbox.Data.Synthetic.FactorSprites`); regenerating gives the same bytes.\n\n");
        sb.Append("One white shape on black, 28×28, rendered antialiased. Factors (column order of the .npy files):\n\n");
        sb.Append("| factor | values |\n| --- | --- |\n");
        sb.Append("| shape | 0 square, 1 ellipse, 2 heart (also the IDX label) |\n");
        sb.Append("| scale | 5 values, 0.5 to 1 |\n| orientation | 8 values over [0, 2π) |\n| x | 8 values, centre 9 to 19 px |\n| y | 8 values, centre 9 to 19 px |\n\n");
        sb.Append(ci, $"`train-*`: {set.Count} images with `{FactorsFileName}` (N×5 int32 factor indices); `t10k-*`: {Math.Min(TestCount, GridSize)} images with `{TestFactorsFileName}`.\n");
        return sb.ToString();
    }
}

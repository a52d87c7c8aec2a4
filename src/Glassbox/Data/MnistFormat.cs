namespace Glassbox.Data;

/// <summary>
/// Loads data sets stored like MNIST: an IDX file of N×H×W unsigned-byte images and an IDX file of N labels.
/// Fashion-MNIST uses the same format and file names.
/// </summary>
public static class MnistFormat
{
    /// <summary>Class names used when a folder gives no hint: the digits "0" to "9".</summary>
    public static IReadOnlyList<string> DigitClassNames { get; } = Array.AsReadOnly(Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());

    /// <summary>Fashion-MNIST's class names, indexed by label (Xiao, Rasul and Vollgraf, 2017).</summary>
    public static IReadOnlyList<string> FashionClassNames { get; } = Array.AsReadOnly(new[]
    {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    });

    /// <summary>Name of the optional file, one class name per line, that <see cref="LoadFolder"/> reads from the folder.</summary>
    public const string ClassNamesFileName = "classes.txt";

    /// <summary>Largest <see cref="ClassNamesFileName"/> read, in bytes.</summary>
    public const long MaxClassNamesBytes = 1 << 20;

    /// <summary>
    /// Loads images and labels from two IDX files (raw or gzip) into a one-channel dataset with pixels / 255.
    /// Without <paramref name="classNames"/> the classes are the digits "0" to "9".
    /// </summary>
    public static ImageDataset Load(string imagesPath, string labelsPath, IReadOnlyList<string>? classNames = null)
    {
        classNames ??= DigitClassNames;
        IdxArray images = IdxFile.Read(imagesPath);
        IdxArray labels = IdxFile.Read(labelsPath);
        if (images.Dims.Length != 3)
            throw new GlassboxException($"'{imagesPath}' holds an array of {images.Dims.Length} dimensions ({string.Join("×", images.Dims)}); MNIST images need 3 (count×rows×columns).");
        if (labels.Dims.Length != 1)
            throw new GlassboxException($"'{labelsPath}' holds an array of {labels.Dims.Length} dimensions ({string.Join("×", labels.Dims)}); MNIST labels need 1 (count).");
        int count = images.Dims[0], height = images.Dims[1], width = images.Dims[2];
        if (labels.Dims[0] != count)
            throw new GlassboxException($"Image and label counts differ: '{imagesPath}' has {count} images but '{labelsPath}' has {labels.Dims[0]} labels. Use the label file that belongs to these images.");

        var labelValues = new int[count];
        for (int i = 0; i < count; i++)
        {
            int label = labels.Data[i];
            if (label >= classNames.Count)
                throw new GlassboxException($"Label {label} of item {i} in '{labelsPath}' is outside the {classNames.Count} classes ({string.Join(", ", classNames)}). Pass class names that cover every label.");
            labelValues[i] = label;
        }

        var pixels = new float[images.Data.Length];
        for (int i = 0; i < pixels.Length; i++)
            pixels[i] = images.Data[i] / 255f;
        return new ImageDataset(pixels, count, 1, height, width, labelValues, classNames);
    }

    /// <summary>
    /// Loads the "train" or "test" split of an MNIST-format folder by its standard file names
    /// (<c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c>,
    /// <c>t10k-labels-idx1-ubyte</c>, each optionally with <c>.gz</c>). Class names come from
    /// <see cref="ClassNamesFileName"/> in the folder if present, else from <see cref="FashionClassNames"/> when a
    /// folder name in the path contains "fashion", else "0" to "9".
    /// </summary>
    public static ImageDataset LoadFolder(string folder, string split)
    {
        if (!Directory.Exists(folder))
            throw new GlassboxException($"MNIST folder '{folder}' does not exist. Check the path.");
        string prefix = split switch
        {
            "train" => "train",
            "test" => "t10k",
            _ => throw new GlassboxException($"Unknown split '{split}': use \"train\" or \"test\"."),
        };
        string images = FindFile(folder, $"{prefix}-images-idx3-ubyte");
        string labels = FindFile(folder, $"{prefix}-labels-idx1-ubyte");
        return Load(images, labels, ClassNamesFor(folder));
    }

    private static string FindFile(string folder, string baseName)
    {
        foreach (string candidate in new[] { baseName, baseName + ".gz" })
        {
            string path = Path.Combine(folder, candidate);
            if (File.Exists(path))
                return path;
        }
        throw new GlassboxException($"MNIST folder '{folder}' has no '{baseName}' or '{baseName}.gz'. Point to a folder with the standard MNIST file names.");
    }

    private static IReadOnlyList<string> ClassNamesFor(string folder)
    {
        string hint = Path.Combine(folder, ClassNamesFileName);
        if (File.Exists(hint))
        {
            if (!IO.ContainedPath.IsRegularFile(IO.ContainedPath.RealPath(Path.GetFullPath(hint), $"Class name file '{hint}'")) || new FileInfo(hint).Length > MaxClassNamesBytes)
                throw new GlassboxException($"Class name file '{hint}' is not a regular text file of at most {MaxClassNamesBytes / 1024} KB; write one class name per line, in label order.");
            string[] names = File.ReadAllLines(hint).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
            if (names.Length == 0)
                throw new GlassboxException($"Class name file '{hint}' is empty; write one class name per line, in label order.");
            return Array.AsReadOnly(names);
        }
        string full = Path.GetFullPath(folder);
        bool fashion = full.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries)
            .Any(part => part.Contains("fashion", StringComparison.OrdinalIgnoreCase));
        return fashion ? FashionClassNames : DigitClassNames;
    }
}

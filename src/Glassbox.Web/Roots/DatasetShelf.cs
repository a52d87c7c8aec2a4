using System.Collections.Concurrent;
using Glassbox.Data;

namespace Glassbox.Web.Roots;

/// <summary>A dataset folder the explorer offers.</summary>
/// <param name="Name">Path relative to the data root, '/'-separated.</param>
/// <param name="Kind">mnist (IDX files; the test split when present, else train) or images (one subfolder of PNG/JPEG files per class).</param>
/// <param name="Path">Full path of the folder.</param>
internal sealed record DatasetListing(string Name, string Kind, string Path);

/// <summary>One image of a dataset: its label, and either its pixels (MNIST) or its file (image folders).</summary>
internal sealed record DatasetImage(string Name, int Label, string LabelName, float[]? Pixels, int Channels, int Height, int Width, string? File);

/// <summary>The dataset folders under the data root; MNIST splits are read once and kept.</summary>
internal sealed class DatasetShelf(RootFolder root)
{
    private const int MaxDepth = 2;
    private readonly ConcurrentDictionary<string, Lazy<ImageDataset>> _mnist = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<(string File, int Label, string[] Classes)[]>> _folders = new(StringComparer.Ordinal);

    /// <summary>The root datasets are read from.</summary>
    public RootFolder Root { get; } = root;

    /// <summary>Every dataset folder under the root, in name order.</summary>
    public IReadOnlyList<DatasetListing> List()
    {
        var found = new List<DatasetListing>();
        Walk(Root.Path, 0, found);
        return found.OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>The dataset named <paramref name="name"/>, or a <see cref="GlassboxException"/>.</summary>
    public DatasetListing Get(string name)
    {
        string full = Root.Resolve(name);
        return KindOf(full) is { } kind ? new DatasetListing(Root.NameOf(full), kind, full)
            : throw new GlassboxException($"'{name}' is not a dataset folder under the data root. Pick one of GET /api/datasets.");
    }

    /// <summary>Images in the dataset.</summary>
    public int Count(DatasetListing d) => d.Kind == "mnist" ? Mnist(d).Count : Files(d).Length;

    /// <summary>Image <paramref name="index"/> of the dataset; an index outside it is a <see cref="GlassboxException"/>.</summary>
    public DatasetImage Image(DatasetListing d, int index)
    {
        int count = Count(d);
        if (index < 0 || index >= count) throw new GlassboxException($"Dataset '{d.Name}' has images 0..{count - 1}; {index} is not one of them.");
        if (d.Kind == "mnist")
        {
            var m = Mnist(d);
            var px = m.Pixels.AsSpan(index * m.ImageSize, m.ImageSize).ToArray();
            return new DatasetImage($"{d.Name}#{index}", m.Labels[index], m.ClassNames[m.Labels[index]], px, m.Channels, m.Height, m.Width, null);
        }
        var (file, label, classes) = Files(d)[index];
        return new DatasetImage($"{d.Name}#{index}", label, classes[label], null, 0, 0, 0, file);
    }

    /// <summary>The MNIST training split (for a background), or null when the dataset is not MNIST or has none.</summary>
    public static string? MnistTrainFolder(DatasetListing d)
        => d.Kind == "mnist" && HasIdx(d.Path, "train") ? d.Path : null;

    private ImageDataset Mnist(DatasetListing d)
        => _mnist.GetOrAdd(d.Path, p => new Lazy<ImageDataset>(() => MnistFormat.LoadFolder(p, HasIdx(p, "t10k") ? "test" : "train"))).Value;

    private (string File, int Label, string[] Classes)[] Files(DatasetListing d)
        => _folders.GetOrAdd(d.Path, p => new Lazy<(string, int, string[])[]>(() =>
        {
            var classes = ClassFolders(p);
            var names = classes.Select(System.IO.Path.GetFileName).Select(n => n!).ToArray();
            return classes.SelectMany((c, label) => ImagesIn(c).Select(f => (f, label, names))).ToArray();
        })).Value;

    private void Walk(string folder, int depth, List<DatasetListing> found)
    {
        IEnumerable<string> dirs;
        try { dirs = Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal).ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        foreach (string dir in dirs)
        {
            if (System.IO.Path.GetFileName(dir).StartsWith('.') || !Root.Contains(dir)) continue;
            if (KindOf(dir) is { } kind) found.Add(new DatasetListing(Root.NameOf(dir), kind, dir));
            else if (depth + 1 < MaxDepth) Walk(dir, depth + 1, found);
        }
    }

    private string? KindOf(string folder)
    {
        if (!Directory.Exists(folder) || !Root.Contains(folder)) return null;
        if (HasIdx(folder, "t10k") || HasIdx(folder, "train"))
            return Directory.EnumerateFiles(folder).All(Root.Contains) ? "mnist" : null;
        var classes = ClassFolders(folder);
        return classes.Length > 0 && classes.All(c => Root.Contains(c) && ImagesIn(c).Any() && ImagesIn(c).All(Root.Contains)) ? "images" : null;
    }

    private static bool HasIdx(string folder, string prefix)
        => new[] { "", ".gz" }.Any(gz => File.Exists(System.IO.Path.Combine(folder, $"{prefix}-images-idx3-ubyte{gz}")))
        && new[] { "", ".gz" }.Any(gz => File.Exists(System.IO.Path.Combine(folder, $"{prefix}-labels-idx1-ubyte{gz}")));

    private static string[] ClassFolders(string folder)
        => Directory.GetDirectories(folder).Where(d => !System.IO.Path.GetFileName(d).StartsWith('.')).Order(StringComparer.Ordinal).ToArray();

    private static IEnumerable<string> ImagesIn(string folder)
        => Directory.GetFiles(folder).Where(f => System.IO.Path.GetExtension(f).ToLowerInvariant() is ".png" or ".jpg" or ".jpeg").Order(StringComparer.Ordinal);
}

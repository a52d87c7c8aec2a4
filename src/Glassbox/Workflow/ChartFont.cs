using System.Security.Cryptography;

namespace Glassbox.Workflow;

/// <summary>
/// Gives ScottPlot a font that exists on every machine: SkiaSharp's self-contained Linux build does not use
/// fontconfig, so without this, charts render without any text. The DejaVu Sans font ships inside the Glassbox
/// assembly (its licence is in src/Glassbox/Resources) and is registered with ScottPlot under <see cref="Name"/>.
/// </summary>
public static class ChartFont
{
    /// <summary>The family name charts use.</summary>
    public const string Name = "Glassbox DejaVu Sans";
    private static readonly Lazy<string> Registered = new(Register, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Registers the font with ScottPlot once per process and returns its family name.</summary>
    public static string Ensure()
    {
        _ = Registered.Value;
        return Name;
    }

    private static string Register()
    {
        using var stream = typeof(ChartFont).Assembly.GetManifestResourceStream("Glassbox.Resources.DejaVuSans.ttf")
            ?? throw new InvalidOperationException("The embedded chart font is missing from the Glassbox assembly.");
        using var ms = new MemoryStream();
        stream.CopyTo(ms);
        byte[] bytes = ms.ToArray();
        string dir = Path.Combine(Path.GetTempPath(), "glassbox-fonts");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, $"DejaVuSans-{Convert.ToHexStringLower(SHA256.HashData(bytes))[..12]}.ttf");
        if (!File.Exists(path) || new FileInfo(path).Length != bytes.Length) IO.AtomicFile.WriteAllBytes(path, bytes);
        ScottPlot.Fonts.AddFontFile(Name, path, false, false);
        return path;
    }
}

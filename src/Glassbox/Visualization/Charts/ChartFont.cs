using Glassbox.Visualization.Text;
using ScottPlot;

namespace Glassbox.Visualization.Charts;

/// <summary>
/// Points ScottPlot at a font file. SkiaSharp's Linux "NoDependencies" build cannot find system fonts by name,
/// so without this charts would render without text. When the machine has no font at all, the DejaVu Sans copy
/// embedded in the Glassbox assembly (licence in src/Glassbox/Resources) is written to the temp folder and used.
/// </summary>
internal static class ChartFont
{
    private static readonly Lock Registration = new();

    /// <summary>Registers the font chosen by <paramref name="options"/> with ScottPlot (once per file) and applies it to <paramref name="plot"/>.</summary>
    public static void Apply(Plot plot, FontOptions options)
    {
        string file = options.FontFile ?? FontLocator.FindSansFontFile() ?? EmbeddedFont.Value;
        if (!File.Exists(file))
            throw new GlassboxException($"Font file '{file}' does not exist; pass an existing .ttf/.otf file or leave FontFile null.");
        string name = "Glassbox " + Path.GetFileNameWithoutExtension(file);
        string bold = BoldSibling(file) ?? file;
        lock (Registration)
        {
            if (!IsRegistered(name))
            {
                Fonts.AddFontFile(name, file, bold: false, italic: false);
                Fonts.AddFontFile(name, bold, bold: true, italic: false);
            }
            plot.Font.Set(name);
            plot.Legend.FontName = name;
        }
    }

    private static readonly Lazy<string> EmbeddedFont = new(ExtractEmbeddedFont, LazyThreadSafetyMode.ExecutionAndPublication);

    private static string ExtractEmbeddedFont()
    {
        using var stream = typeof(ChartFont).Assembly.GetManifestResourceStream("Glassbox.Resources.DejaVuSans.ttf")
            ?? throw new InvalidOperationException("The embedded chart font is missing from the Glassbox assembly.");
        using var ms = new MemoryStream();
        stream.CopyTo(ms);
        byte[] bytes = ms.ToArray();
        string dir = Path.Combine(Path.GetTempPath(), "glassbox-fonts");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, $"DejaVuSans-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))[..12]}.ttf");
        if (!File.Exists(path) || new FileInfo(path).Length != bytes.Length) IO.AtomicFile.WriteAllBytes(path, bytes);
        return path;
    }

    // Asking ScottPlot for an unknown name caches an empty typeface under it, so look at the resolvers instead.
    private static bool IsRegistered(string name)
        => Fonts.FontResolvers.OfType<ScottPlot.FontResolvers.FileFontResolver>()
            .Any(r => r.ToString().Contains($"name='{name}'", StringComparison.Ordinal));

    private static string? BoldSibling(string file)
    {
        string dir = Path.GetDirectoryName(file) ?? ".";
        string stem = Path.GetFileNameWithoutExtension(file);
        string ext = Path.GetExtension(file);
        foreach (string candidate in new[] { stem + "-Bold", stem.Replace("-Regular", "-Bold", StringComparison.Ordinal), stem + "bd" })
        {
            string path = Path.Combine(dir, candidate + ext);
            if (candidate != stem && File.Exists(path)) return path;
        }
        return null;
    }
}

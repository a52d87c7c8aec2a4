using SkiaSharp;

namespace Glassbox.Visualization.Text;

/// <summary>
/// Finds a sans-serif font file. SkiaSharp's Linux "NoDependencies" build has no fontconfig, so the default typeface
/// is empty there and fonts must be loaded from files.
/// </summary>
internal static class FontLocator
{
    private static readonly string[] KnownFiles =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
        "/System/Library/Fonts/Supplemental/Arial.ttf",
        "/Library/Fonts/Arial.ttf",
        @"C:\Windows\Fonts\segoeui.ttf",
        @"C:\Windows\Fonts\arial.ttf",
    ];

    private static readonly string[] SearchFolders =
    [
        "/usr/share/fonts", "/usr/local/share/fonts",
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".fonts"),
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local/share/fonts"),
    ];

    /// <summary>Path of a sans-serif font file on this machine, or null when none is found.</summary>
    public static string? FindSansFontFile()
    {
        foreach (string file in KnownFiles)
            if (File.Exists(file)) return file;
        foreach (string folder in SearchFolders)
        {
            if (!Directory.Exists(folder)) continue;
            string? best = EnumerateFonts(folder)
                .OrderByDescending(Score)
                .ThenBy(f => f, StringComparer.Ordinal)
                .FirstOrDefault();
            if (best is not null) return best;
        }
        return null;
    }

    /// <summary>Loads <paramref name="fontFile"/>, or the best system font when null; null when no usable font exists.</summary>
    internal static SKTypeface? Load(string? fontFile)
    {
        if (fontFile is not null)
        {
            if (!File.Exists(fontFile))
                throw new GlassboxException($"Font file '{fontFile}' does not exist; pass an existing .ttf/.otf file or leave FontFile null to use a system font.");
            return Usable(SKTypeface.FromFile(fontFile))
                ?? throw new GlassboxException($"Font file '{fontFile}' could not be read as a font; pass a .ttf or .otf file.");
        }
        string? found = FindSansFontFile();
        if (found is not null && Usable(SKTypeface.FromFile(found)) is { } fromFile) return fromFile;
        return Usable(SKFontManager.Default.MatchFamily("sans-serif")) ?? Usable(SKTypeface.Default);
    }

    private static SKTypeface? Usable(SKTypeface? typeface)
    {
        if (typeface is null) return null;
        if (typeface.GlyphCount > 0) return typeface;
        typeface.Dispose();
        return null;
    }

    private static IEnumerable<string> EnumerateFonts(string folder)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, MaxRecursionDepth = 4 };
        return Directory.EnumerateFiles(folder, "*", options)
            .Where(f => f.EndsWith(".ttf", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".otf", StringComparison.OrdinalIgnoreCase));
    }

    private static int Score(string file)
    {
        string name = Path.GetFileNameWithoutExtension(file);
        int score = 0;
        if (name.Contains("Sans", StringComparison.OrdinalIgnoreCase)) score += 4;
        if (name.Contains("Mono", StringComparison.OrdinalIgnoreCase)) score -= 2;
        if (name.Contains("Serif", StringComparison.OrdinalIgnoreCase) && !name.Contains("Sans", StringComparison.OrdinalIgnoreCase)) score -= 1;
        foreach (string style in new[] { "Bold", "Italic", "Oblique", "Light", "Condensed", "Thin", "Black" })
            if (name.Contains(style, StringComparison.OrdinalIgnoreCase)) score -= 3;
        return score;
    }
}

using System.Text;

namespace Glassbox.Visualization;

/// <summary>Escaping and embedding helpers for the HTML and SVG this library writes.</summary>
internal static class Markup
{
    /// <summary>Escapes text for HTML/SVG element content and quoted attribute values (&amp; &lt; &gt; " ').</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            sb.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ when char.IsControl(c) && c is not ('\n' or '\r' or '\t') => "",
                _ => c.ToString(),
            });
        }
        return sb.ToString();
    }

    /// <summary>A data: URI embedding PNG bytes, so a page needs no other file.</summary>
    public static string PngDataUri(byte[] png) => "data:image/png;base64," + Convert.ToBase64String(png);
}

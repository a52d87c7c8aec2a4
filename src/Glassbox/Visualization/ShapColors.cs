using SkiaSharp;

namespace Glassbox.Visualization;

/// <summary>
/// SHAP's colour convention: red for attributions that push the output up, blue for those that push it down,
/// opacity growing linearly with |value| / vmax and fully transparent at zero.
/// </summary>
public static class ShapColors
{
    /// <summary>Colour of positive attributions, RGB(255, 13, 87).</summary>
    public static SKColor Positive => new(255, 13, 87);

    /// <summary>Colour of negative attributions, RGB(30, 136, 229).</summary>
    public static SKColor Negative => new(30, 136, 229);

    /// <summary>Opacity in [0,1] for <paramref name="value"/> on a symmetric scale ±<paramref name="vmax"/>; 0 when vmax is not positive.</summary>
    public static double Alpha(double value, double vmax)
    {
        if (!(vmax > 0) || double.IsNaN(value)) return 0;
        return Math.Min(1.0, Math.Abs(value) / vmax);
    }

    /// <summary>The translucent colour for <paramref name="value"/> (alpha ∝ |value| / vmax).</summary>
    public static SKColor Map(double value, double vmax)
    {
        SKColor hue = value >= 0 ? Positive : Negative;
        return hue.WithAlpha((byte)Math.Round(255 * Alpha(value, vmax)));
    }

    /// <summary>The opaque colour seen when <see cref="Map"/>'s colour is painted over <paramref name="background"/>.</summary>
    public static SKColor Over(SKColor background, double value, double vmax)
    {
        double a = Alpha(value, vmax);
        SKColor hue = value >= 0 ? Positive : Negative;
        return new SKColor(Mix(background.Red, hue.Red, a), Mix(background.Green, hue.Green, a), Mix(background.Blue, hue.Blue, a));
    }

    /// <summary>CSS hex notation (#rrggbb) of an opaque colour.</summary>
    public static string ToHex(SKColor color) => $"#{color.Red:x2}{color.Green:x2}{color.Blue:x2}";

    private static byte Mix(byte under, byte over, double alpha) => (byte)Math.Round(under * (1 - alpha) + over * alpha);
}

namespace Glassbox.Attribution.Shapley;

/// <summary>How a feature's value is written onto the elements (pixels × channels) of the feature.</summary>
public enum FeatureSpread
{
    /// <summary>Each element gets the feature's value divided by the feature's element count, so the map sums to
    /// Σφ = f(x) − f(baseline) and additivity can be checked pixel-wise (Glassbox default for Shapley methods).</summary>
    Split,
    /// <summary>Each element gets the feature's full value, as Captum does (the map no longer sums to f(x) − f(baseline)).</summary>
    Repeat,
}

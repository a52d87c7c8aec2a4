using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Models;
using TorchSharp;

namespace Glassbox.App;

/// <summary>The one place the app turns a catalog entry and option text into an attribution method.</summary>
internal static class MethodFactory
{
    /// <summary>
    /// Binds <paramref name="optionText"/> (flag → text, with or without dashes) to <paramref name="entry"/>'s options
    /// and builds the method for <paramref name="model"/>; methods that average over a baseline distribution get
    /// <paramref name="defaultBackground"/> (B×C×H×W on the model's device, called only then) unless baselines are given;
    /// a noise tunnel wraps the method when asked for.
    /// </summary>
    public static (IAttributionMethod Method, MethodSettings Settings) Create(MethodEntry entry, IReadOnlyDictionary<string, string> optionText,
        IImageModel model, OutputSpace output, int seed, Func<torch.Tensor> defaultBackground)
    {
        var settings = entry.Bind(optionText, new OptionContext(model.Info, model.Device), output, seed);
        if (entry.UsesBaselineDistribution && settings.Baselines is null)
            settings = settings with { Baselines = Baseline.FromImages(defaultBackground()) };
        return (settings.Create(model), settings);
    }
}

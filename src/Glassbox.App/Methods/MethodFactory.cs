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
        => Build(Bind(entry, optionText, model, output, seed), model, defaultBackground);

    /// <summary>Binds the option text (errors name the flags the method reads); builds nothing.</summary>
    public static MethodSettings Bind(MethodEntry entry, IReadOnlyDictionary<string, string> optionText, IImageModel model, OutputSpace output, int seed)
        => entry.Bind(optionText, new OptionContext(model.Info, model.Device), output, seed);

    /// <summary>Builds bound settings, giving a distribution method <paramref name="defaultBackground"/> when it has no baselines.</summary>
    public static (IAttributionMethod Method, MethodSettings Settings) Build(MethodSettings settings, IImageModel model, Func<torch.Tensor> defaultBackground)
    {
        if (settings.Entry.UsesBaselineDistribution && settings.Baselines is null)
            settings = settings with { Baselines = Baseline.FromImages(defaultBackground()) };
        return (settings.Create(model), settings);
    }
}

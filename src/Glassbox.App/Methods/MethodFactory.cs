using Glassbox.Attribution;
using Glassbox.Models;
using Glassbox.Workflow.Methods;
using TorchSharp;

namespace Glassbox.App;

/// <summary>The one place the app turns a catalog entry and option text into an attribution method.</summary>
internal static class MethodFactory
{
    /// <summary>
    /// Builds <paramref name="entry"/> for <paramref name="model"/> from options keyed by their command-line names;
    /// methods that average over a baseline distribution get <paramref name="defaultBackground"/> (B×C×H×W on the
    /// model's device, called only then) unless baselines are given; a noise tunnel wraps the method when asked for.
    /// </summary>
    public static IAttributionMethod Create(MethodEntry entry, IReadOnlyDictionary<string, string> optionText, IImageModel model,
        OutputSpace output, int seed, Func<torch.Tensor> defaultBackground)
    {
        var args = MethodOptionText.Build(entry, optionText, model.Info, model.Device, output, seed);
        if (entry.UsesBaselineDistribution && args.Baselines is null)
            args = args with { Baselines = Baseline.FromImages(defaultBackground()) };
        return GradientMethods.WithNoiseTunnel(entry.Create(model, args), args);
    }
}

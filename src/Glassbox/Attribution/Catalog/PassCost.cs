using Glassbox.Attribution.FeatureMasks;
using Glassbox.Models;
using TorchSharp;

namespace Glassbox.Attribution.Catalog;

/// <summary>The raw model passes a method needs per image for all its targets (what the benchmark compares it with).</summary>
/// <param name="PerImage">Passes per image, or NaN when the count is not known in advance.</param>
/// <param name="Gradient">True for forward+backward passes, false for forward passes.</param>
public sealed record PassCost(double PerImage, bool Gradient)
{
    /// <summary>Not modelled.</summary>
    public static PassCost Unknown { get; } = new(double.NaN, false);

    /// <summary>"forward+backward" or "forward".</summary>
    public string Kind => Gradient ? "forward+backward" : "forward";
}

/// <summary>What a pass count depends on besides the options: the input shape, the targets per image and the baselines.</summary>
/// <param name="Info">The model's input shape.</param>
/// <param name="Targets">Targets (classes) explained per image.</param>
/// <param name="Baselines">Baseline images of a distribution (1 for a single baseline).</param>
/// <param name="Model">The model, when a cost depends on its layers (Score-CAM's channels); may be null.</param>
public sealed record CostContext(ModelInfo Info, int Targets, int Baselines, IImageModel? Model = null)
{
    /// <summary>Images in <paramref name="baselines"/>' distribution (1 for null, a constant, or a per-input blur).</summary>
    public int Count(Baseline? baselines)
    {
        if (baselines is null) return 1;
        using var probe = torch.zeros(1, Info.Channels, Info.Height, Info.Width);
        try
        {
            using var d = baselines.Distribution(probe);
            return (int)d.shape[0];
        }
        catch (GlassboxException)
        {
            return 1; // blur: one reference per input
        }
    }

    /// <summary>Forward+backward passes: <paramref name="perTarget"/> for each target.</summary>
    public PassCost Backward(double perTarget) => new(perTarget * Targets, true);

    /// <summary>Forward passes per image (they serve every target).</summary>
    public PassCost Forward(double perImage) => new(perImage, false);

    /// <summary>Features of <paramref name="mask"/> (a shared mask's count), the default grid's count when null, or 0 when it depends on the image.</summary>
    public int Features(MaskSource? mask)
    {
        if (mask is null) return GridMask.Create(Info.Channels, Info.Height, Info.Width, (Math.Max(Info.Height, Info.Width) + 7) / 8).Count;
        if (!mask.IsShared) return 0;
        using var probe = torch.zeros(Info.Channels, Info.Height, Info.Width);
        return mask.ForInput(probe).Count;
    }

    /// <summary>Elements of one input (C·H·W).</summary>
    public int Elements => Info.Channels * Info.Height * Info.Width;
}

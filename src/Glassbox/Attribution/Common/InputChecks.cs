using Glassbox.Models;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Common;

/// <summary>The checks every attribution method makes on its inputs before any work, with errors that say what to do.</summary>
internal static class InputChecks
{
    /// <summary>Throws a <see cref="GlassboxException"/> when <paramref name="t"/> holds NaN or infinite values.</summary>
    /// <param name="t">The tensor to check.</param>
    /// <param name="what">What the tensor holds, as the message names it (e.g. "input images").</param>
    public static void Finite(Tensor t, string what)
    {
        using var bad = t.isfinite().logical_not().any();
        if (bad.item<bool>())
            throw new GlassboxException($"The {what} contain NaN or infinite values; clean them before explaining.");
    }

    /// <summary>Checks that <paramref name="inputs"/> is a non-empty N×C×H×W batch of the model's size with finite values.</summary>
    public static void Images(IImageModel model, Tensor inputs)
    {
        ModelCapabilities.CheckInput(model, inputs);
        if (inputs.shape[0] < 1) throw new GlassboxException("No images were given to explain.");
        Finite(inputs, "input images");
    }
}

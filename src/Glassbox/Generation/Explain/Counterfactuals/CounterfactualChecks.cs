using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Generation.Explain.Counterfactuals;

/// <summary>Input checks shared by the counterfactual searches.</summary>
internal static class CounterfactualChecks
{
    public static void Check(IImageModel classifier, Tensor latents, Tensor images, int[] targets, string method)
    {
        ModelCapabilities.RequireGradients(classifier, method);
        if (latents.dim() != 2) throw new GlassboxException($"{method} takes latents of shape N×L, not [{string.Join(", ", latents.shape)}].");
        long n = latents.shape[0];
        if (images.dim() != 4 || images.shape[0] != n)
            throw new GlassboxException($"{method} takes one N×C×H×W image per latent; got images [{string.Join(", ", images.shape)}] for {n} latents.");
        if (targets.Length != n) throw new GlassboxException($"{method} needs one target class per image: {n} images but {targets.Length} targets.");
        int classes = classifier.Info.Classes;
        foreach (int t in targets)
            if (t < 0 || t >= classes)
                throw new GlassboxException($"Target class {t} is not a class of the classifier: it knows classes 0–{classes - 1}.");
    }

    public static Tensor TargetTensor(int[] targets, Device device)
        => torch.tensor(targets.Select(t => (long)t).ToArray(), ScalarType.Int64).to(device);
}

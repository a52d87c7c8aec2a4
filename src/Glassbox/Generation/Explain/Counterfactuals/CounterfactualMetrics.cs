using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Generation.Explain.Counterfactuals;

/// <summary>
/// Per-counterfactual quality numbers (Verma et al. 2020's survey names; Mothilal et al. 2020 for validity and
/// proximity): validity under a classifier, ℓ1 and ℓ2 proximity to the input in pixel space, and the latent distance
/// travelled. Each returns one value per row.
/// </summary>
public static class CounterfactualMetrics
{
    /// <summary>Validity: the classifier's arg-max on each counterfactual equals its target.</summary>
    public static bool[] Validity(IImageModel classifier, Tensor counterfactuals, int[] targets)
    {
        if (counterfactuals.dim() < 1 || counterfactuals.shape[0] != targets.Length)
            throw new GlassboxException($"Validity needs one target per counterfactual: {(counterfactuals.dim() < 1 ? 0 : counterfactuals.shape[0])} counterfactuals but {targets.Length} targets.");
        using var noGrad = torch.no_grad();
        using var logits = classifier.Forward(counterfactuals);
        using var arg = logits.argmax(1).cpu();
        long[] predicted = arg.data<long>().ToArray();
        return predicted.Select((p, i) => p == targets[i]).ToArray();
    }

    /// <summary>ℓ1 proximity Σ|x′ − x| over every pixel and channel of each row.</summary>
    public static double[] L1(Tensor counterfactuals, Tensor inputs) => Rows(counterfactuals, inputs, d => d.abs().sum(1));

    /// <summary>ℓ2 proximity ‖x′ − x‖₂ of each row.</summary>
    public static double[] L2(Tensor counterfactuals, Tensor inputs) => Rows(counterfactuals, inputs, d => d.square().sum(1).sqrt());

    /// <summary>Latent distance ‖z′ − z‖₂ of each row.</summary>
    public static double[] LatentDistance(Tensor counterfactualCodes, Tensor codes) => Rows(counterfactualCodes, codes, d => d.square().sum(1).sqrt());

    private static double[] Rows(Tensor a, Tensor b, Func<Tensor, Tensor> reduce)
    {
        if (!a.shape.SequenceEqual(b.shape))
            throw new GlassboxException($"Counterfactuals of shape [{string.Join(", ", a.shape)}] cannot be compared with inputs of shape [{string.Join(", ", b.shape)}].");
        using var scope = torch.NewDisposeScope();
        var d = (a.detach().to_type(ScalarType.Float64) - b.detach().to_type(ScalarType.Float64)).flatten(1);
        return reduce(d).cpu().data<double>().ToArray();
    }
}

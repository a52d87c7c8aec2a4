using Glassbox.Attribution;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Common;

/// <summary>The checks and model evaluations metrics share, with errors that say what to do.</summary>
internal static class MetricInputs
{
    /// <summary>Throws unless <paramref name="explanation"/> explains <paramref name="inputs"/> (N×C×H×W of the model's size) with valid targets.</summary>
    public static void CheckExplained(IImageModel model, Tensor inputs, Explanation explanation, string metric)
    {
        ModelCapabilities.CheckInput(model, inputs);
        CheckShape(explanation, metric);
        var s = explanation.Shape;
        if (s[0] != inputs.shape[0] || s[2] != inputs.shape[1] || s[3] != inputs.shape[2] || s[4] != inputs.shape[3])
            throw new GlassboxException(
                $"{metric}: the explanation holds {s[0]}×{s[1]} maps of {s[2]}×{s[3]}×{s[4]}, but {string.Join("×", inputs.shape)} inputs were given; " +
                "pass the inputs that were explained.");
        int classes = model.Info.Classes;
        foreach (int t in explanation.Targets)
            if (t < 0 || t >= classes)
                throw new GlassboxException($"{metric}: the explanation's target class {t} does not exist in this model (classes 0..{classes - 1}).");
    }

    /// <summary>Throws unless <paramref name="a"/> and <paramref name="b"/> explain the same inputs and targets.</summary>
    public static void CheckPair(Explanation a, Explanation b, string metric)
    {
        CheckShape(a, metric);
        CheckShape(b, metric);
        if (!a.Shape.SequenceEqual(b.Shape))
            throw new GlassboxException(
                $"{metric} compares explanations of the same inputs, but their shapes differ ({string.Join("×", a.Shape)} vs {string.Join("×", b.Shape)}).");
        if (!a.Targets.SequenceEqual(b.Targets))
            throw new GlassboxException($"{metric} compares explanations of the same targets, but {a.Method} and {b.Method} explain different classes; explain both with the same targets.");
    }

    /// <summary>The model's output for class <paramref name="classes"/>[i] of image i, as logits or softmax probabilities, in chunks of <paramref name="batchSize"/>.</summary>
    public static double[] ClassScores(IImageModel model, Tensor pixels, OutputSpace output, int[] classes, int batchSize = 256)
    {
        long n = pixels.shape[0];
        var scores = new double[n];
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        for (long start = 0; start < n; start += batchSize)
        {
            long m = Math.Min(batchSize, n - start);
            var logits = model.Forward(pixels.narrow(0, start, m).to(model.Device));
            var values = output == OutputSpace.Probabilities ? nn.functional.softmax(logits, 1) : logits;
            var index = torch.tensor(classes.AsSpan((int)start, (int)m).ToArray().Select(c => (long)c).ToArray(), device: values.device).unsqueeze(1);
            var picked = values.gather(1, index).squeeze(1).to_type(ScalarType.Float64).cpu().data<double>().ToArray();
            picked.CopyTo(scores, start);
        }
        return scores;
    }

    private static void CheckShape(Explanation e, string metric)
    {
        if (e.Shape.Length != 5 || e.Values.Length != (long)e.Count * e.TargetsPerInput * e.MapSize || e.Targets.Length != e.Count * e.TargetsPerInput)
            throw new GlassboxException($"{metric}: the explanation from {e.Method} is malformed (values, shape [N,K,C,H,W] and targets disagree).");
    }
}

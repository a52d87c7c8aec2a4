using Glassbox.Attribution;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Metrics;

/// <summary>A 4-pixel (1×2×2) linear model with logits a = W·x and b = V·x, and hand-made explanations for it.</summary>
internal static class MetricTestModels
{
    public static readonly float[] W = [4f, 2f, 1f, 0.5f];
    public static readonly float[] V = [0f, 1f, 2f, 3f];

    public static ImageClassifier Linear()
    {
        var lin = nn.Linear(4, 2);
        using (torch.no_grad())
        {
            lin.weight!.copy_(torch.tensor(W.Concat(V).ToArray(), [2, 4]));
            lin.bias!.zero_();
        }
        return new ImageClassifier(new ModelInfo("custom", 1, 2, 2, ["a", "b"]), nn.Sequential(nn.Flatten(), lin));
    }

    /// <summary>N images of 4 pixels as an N×1×2×2 tensor.</summary>
    public static Tensor Images(params float[][] images)
        => torch.tensor(images.SelectMany(i => i).ToArray(), [images.Length, 1, 2, 2]);

    /// <summary>An explanation of N inputs × K targets with the given maps (row-major [n, k]), outputs and base values NaN unless given.</summary>
    public static Explanation Explain(int n, int k, int[] targets, float[][] maps, OutputSpace output,
        double[]? outputs = null, double[]? baseValues = null, string method = "Hand")
        => new(method, new object(), maps.SelectMany(m => m).ToArray(), [n, k, 1, 2, 2], targets, output,
            outputs ?? Enumerable.Repeat(double.NaN, n * k).ToArray(),
            baseValues ?? Enumerable.Repeat(double.NaN, n * k).ToArray(), null, 1e-4);

    public static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    /// <summary>Trapezoid area of five points spaced 0.25 apart.</summary>
    public static double Area(params double[] y)
    {
        double area = 0;
        for (int i = 1; i < y.Length; i++) area += 0.25 * (y[i] + y[i - 1]) / 2;
        return area;
    }
}

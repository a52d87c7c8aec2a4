using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Attribution.Perturbation;

/// <summary>A black-box model computed by a function (no gradients, no layers), like an ONNX model.</summary>
internal sealed class FunctionModel(ModelInfo info, Func<Tensor, Tensor> forward) : IImageModel
{
    public int Calls { get; private set; }
    public long Rows { get; private set; }
    public int MaxBatch { get; private set; }
    public ModelInfo Info { get; } = info;
    public Device Device => CPU;
    public ModelKind Kind => ModelKind.Onnx;
    public bool SupportsGradients => false;
    public IReadOnlyList<nn.Module<Tensor, Tensor>>? Layers => null;
    public Tensor Preprocess(Tensor pixels) => pixels.alias();

    public Tensor Forward(Tensor pixels)
    {
        Calls++;
        Rows += pixels.shape[0];
        MaxBatch = (int)Math.Max(MaxBatch, pixels.shape[0]);
        return forward(pixels);
    }

    public void Dispose() { }
}

internal static class TestModels
{
    public static ModelInfo Info(int c, int h, int w, int classes)
        => new("custom", c, h, w, Enumerable.Range(0, classes).Select(i => i.ToString()).ToArray());

    /// <summary>f_k(x) = Σ_e W[k,e] x_e + bias_k, in float64, as a black box.</summary>
    public static FunctionModel Linear(int c, int h, int w, double[,] weights, double[] bias)
    {
        int classes = bias.Length, d = c * h * w;
        var wt = torch.tensor(Flatten(weights), [classes, d], ScalarType.Float64);
        var bt = torch.tensor(bias, ScalarType.Float64);
        return new FunctionModel(Info(c, h, w, classes), x => x.reshape(x.shape[0], d).to_type(ScalarType.Float64).mm(wt.t()) + bt);
    }

    /// <summary>Random linear weights (seeded) for C×H×W inputs and the given classes.</summary>
    public static (double[,] W, double[] B) RandomLinear(int d, int classes, int seed)
    {
        var rng = new Random(seed);
        var w = new double[classes, d];
        for (int k = 0; k < classes; k++)
            for (int e = 0; e < d; e++) w[k, e] = Math.Round(rng.NextDouble() * 4 - 2, 3);
        return (w, Enumerable.Range(0, classes).Select(_ => Math.Round(rng.NextDouble() - 0.5, 3)).ToArray());
    }

    /// <summary>
    /// A nonlinear game on ten elements z (float64): class 0 = (z0+z1)(z2+z3) + max(z4, z5) + z6·z7·z8 − z9²,
    /// class 1 = max(z0+z9, z1·z2) + (z3+z4+z5)² / 4 − z6 + z7·z8.
    /// </summary>
    public static double[] Game(double[] z) =>
    [
        (z[0] + z[1]) * (z[2] + z[3]) + Math.Max(z[4], z[5]) + z[6] * z[7] * z[8] - z[9] * z[9],
        Math.Max(z[0] + z[9], z[1] * z[2]) + (z[3] + z[4] + z[5]) * (z[3] + z[4] + z[5]) / 4 - z[6] + z[7] * z[8],
    ];

    /// <summary><see cref="Game"/> as a black-box model on 1×2×5 images (element e = row-major pixel e).</summary>
    public static FunctionModel GameModel() => new(Info(1, 2, 5, 2), x =>
    {
        var z = x.reshape(x.shape[0], 10).to_type(ScalarType.Float64);
        Tensor Z(int i) => z.select(1, i);
        var c0 = (Z(0) + Z(1)) * (Z(2) + Z(3)) + torch.maximum(Z(4), Z(5)) + Z(6) * Z(7) * Z(8) - Z(9) * Z(9);
        var c1 = torch.maximum(Z(0) + Z(9), Z(1) * Z(2)) + (Z(3) + Z(4) + Z(5)).pow(2) / 4 - Z(6) + Z(7) * Z(8);
        return torch.stack([c0, c1], 1);
    });

    /// <summary>Exact Shapley values of features (groups of elements) by enumerating all coalitions.</summary>
    public static double[] ExactShapley(Func<double[], double> f, double[] x, double[] b, int[] featureOfElement, int features)
    {
        var phi = new double[features];
        var fact = new double[features + 1];
        fact[0] = 1;
        for (int i = 1; i <= features; i++) fact[i] = fact[i - 1] * i;
        double Value(int set)
        {
            var z = new double[x.Length];
            for (int e = 0; e < x.Length; e++) z[e] = (set >> featureOfElement[e] & 1) == 1 ? x[e] : b[e];
            return f(z);
        }
        for (int set = 0; set < 1 << features; set++)
        {
            int size = System.Numerics.BitOperations.PopCount((uint)set);
            double v = Value(set);
            for (int j = 0; j < features; j++)
            {
                if ((set >> j & 1) == 1) continue;
                double weight = fact[size] * fact[features - size - 1] / fact[features];
                phi[j] += weight * (Value(set | 1 << j) - v);
            }
        }
        return phi;
    }

    private static double[] Flatten(double[,] a)
    {
        var r = new double[a.Length];
        int i = 0;
        foreach (double v in a) r[i++] = v;
        return r;
    }
}

using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Attribution.Gradient;

/// <summary>Tiny models for the gradient family's tests.</summary>
internal static class GradientTestModels
{
    public static ModelInfo Info(int c, int h, int w, int classes, string arch = "custom")
        => new(arch, c, h, w, Enumerable.Range(0, classes).Select(i => i.ToString()).ToArray());

    /// <summary>Flatten + Linear(C·H·W → classes) with seeded weights; returns the weight (classes×D).</summary>
    public static ImageClassifier Linear(int seed, int c, int h, int w, int classes, out Tensor weight)
    {
        torch.manual_seed(seed);
        var lin = nn.Linear(c * h * w, classes);
        weight = lin.weight!.detach().clone();
        return new ImageClassifier(Info(c, h, w, classes), nn.Sequential(nn.Flatten(), lin));
    }

    /// <summary>A small ReLU network on 1×4×4 images with 3 classes.</summary>
    public static ImageClassifier Relu(int seed)
    {
        torch.manual_seed(seed);
        return new ImageClassifier(Info(1, 4, 4, 3), nn.Sequential(nn.Flatten(), nn.Linear(16, 12), nn.ReLU(), nn.Linear(12, 3)));
    }

    /// <summary>A small smooth (tanh) network on 1×4×4 images with 3 classes.</summary>
    public static ImageClassifier Tanh(int seed)
    {
        torch.manual_seed(seed);
        return new ImageClassifier(Info(1, 4, 4, 3), nn.Sequential(nn.Flatten(), nn.Linear(16, 12), nn.Tanh(), nn.Linear(12, 3)));
    }

    /// <summary>Expected maps N×K×D from per-input vectors (N×D) times weights (K×D).</summary>
    public static float[] Times(Tensor perInput, Tensor weight)
    {
        long n = perInput.shape[0], k = weight.shape[0], d = weight.shape[1];
        return (perInput.reshape(n, 1, d) * weight.reshape(1, k, d)).contiguous().data<float>().ToArray();
    }

    public static void Close(float[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"at {i}: expected {expected[i]}, got {actual[i]}");
    }
}

/// <summary>A forward-only black box (like an ONNX model): gradients are refused.</summary>
internal sealed class BlackBoxModel(ImageClassifier inner) : IImageModel
{
    public ModelInfo Info => inner.Info;
    public Device Device => inner.Device;
    public ModelKind Kind => ModelKind.Onnx;
    public bool SupportsGradients => false;
    public IReadOnlyList<nn.Module<Tensor, Tensor>>? Layers => null;
    public Tensor Preprocess(Tensor pixels) => inner.Preprocess(pixels);
    public Tensor Forward(Tensor pixels)
    {
        using var noGrad = torch.no_grad();
        return inner.Forward(pixels);
    }
    public void Dispose() => inner.Dispose();
}

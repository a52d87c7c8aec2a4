using Glassbox.Attribution;
using Glassbox.Attribution.Shapley;
using Glassbox.Models;
using Glassbox.Tests.Attribution.Gradient;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Attribution.Shapley;

/// <summary>The details of SHAP's <c>owen</c> recursion that Partition SHAP reproduces.</summary>
public class PartitionShapTraversalTests
{
    [Fact]
    public void LegacyNormalDraws_EqualNumpysRandnAfterSeed()
    {
        // np.random.seed(0); np.random.randn(6)
        double[] numpy = [1.764052345967664, 0.4001572083672233, 0.9787379841057392, 2.240893199201458, 1.8675579901499675, -0.977277879876411];
        var draws = new LegacyNormalDraws(0);
        foreach (double expected in numpy) Assert.Equal(expected, draws.Next(), 1e-15);
    }

    [Fact]
    public void ImagePartition_SplitsChannelsOnlyOncePixelsAreSingle()
    {
        // shap.maskers.Image splits rows, then columns, and the channels of a single pixel last.
        var p = new ImagePartition(3, 2, 2);
        var root = p.Nodes[0];
        Assert.Equal(12, root.Size);
        var top = p.Nodes[root.Left];
        Assert.Equal((0, 1, 0, 2, 0, 3), (top.Y0, top.Y1, top.X0, top.X1, top.C0, top.C1));
        var pixel = p.Nodes[top.Left];
        Assert.Equal((0, 1, 0, 1, 0, 3), (pixel.Y0, pixel.Y1, pixel.X0, pixel.X1, pixel.C0, pixel.C1));
        Assert.Equal((0, 1), (p.Nodes[pixel.Left].C0, p.Nodes[pixel.Left].C1));
        Assert.Equal((1, 3), (p.Nodes[pixel.Right].C0, p.Nodes[pixel.Right].C1));
        Assert.Equal(23, p.Nodes.Count);
    }

    [Theory]
    [InlineData(100, 1, 100)]
    [InlineData(100, 25, 100)]
    [InlineData(101, 25, 102)] // SHAP stops once the images reach max_evals − 2, so an odd budget overshoots by one
    [InlineData(2, 25, 2)]
    public void PartitionShap_EvaluatesMaxEvalsImagesPerInput_AsShap(int maxEvals, int batchNodes, int expectedPerInput)
    {
        torch.manual_seed(3);
        using var model = new CountingModel(new ImageClassifier(GradientTestModels.Info(1, 8, 8, 3),
            nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(144, 3))));
        var x = torch.rand(3, 1, 8, 8);
        var e = new PartitionShap(model, new PartitionShapOptions(MaxEvals: maxEvals, Masker: "blur(3,3)", BatchSize: batchNodes))
            .Attribute(x, TargetSelection.PerInput(0, 1, 2));
        Assert.Equal(3 * expectedPerInput, model.Images); // f(x) is the unmasked image of the recursion
        Assert.True(e.MaxAdditivityError < 1e-5, $"{e.MaxAdditivityError:E2}");
    }

    [Fact]
    public void PartitionShap_CompleteRecursion_DoesNotDependOnBatchSize_AndInputsDoNotInteract()
    {
        torch.manual_seed(4);
        using var model = GradientTestModels.Tanh(2);
        var x = torch.rand(2, 1, 4, 4);
        var one = new PartitionShap(model, new PartitionShapOptions(MaxEvals: 10000, Masker: "0", BatchSize: 1)).Attribute(x, TargetSelection.AllClasses);
        var many = new PartitionShap(model, new PartitionShapOptions(MaxEvals: 10000, Masker: "0", BatchSize: 25)).Attribute(x, TargetSelection.AllClasses);
        GradientTestModels.Close(one.Values, many.Values, 1e-6);
        // Truncated: a batch of inputs gives each input the map it gets alone.
        var options = new PartitionShapOptions(MaxEvals: 40, Masker: "blur(3,3)", BatchSize: 3);
        var both = new PartitionShap(model, options).Attribute(x, TargetSelection.AllClasses);
        var second = new PartitionShap(model, options).Attribute(x.narrow(0, 1, 1), TargetSelection.AllClasses);
        GradientTestModels.Close(second.Values, both.Values.Skip(second.Values.Length).ToArray(), 1e-6);
        Assert.NotEqual(one.Values, new PartitionShap(model, options).Attribute(x, TargetSelection.AllClasses).Values);
    }

    /// <summary>Counts the images the method evaluates.</summary>
    private sealed class CountingModel(ImageClassifier inner) : IImageModel
    {
        public long Images { get; private set; }
        public ModelInfo Info => inner.Info;
        public Device Device => inner.Device;
        public ModelKind Kind => ModelKind.Onnx;
        public bool SupportsGradients => false;
        public IReadOnlyList<nn.Module<Tensor, Tensor>>? Layers => null;
        public Tensor Preprocess(Tensor pixels) => inner.Preprocess(pixels);
        public Tensor Forward(Tensor pixels)
        {
            Images += pixels.shape[0];
            using var noGrad = torch.no_grad();
            return inner.Forward(pixels);
        }
        public void Dispose() => inner.Dispose();
    }
}

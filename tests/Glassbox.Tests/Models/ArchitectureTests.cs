using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Models;

public class ArchitectureTests
{
    private static readonly string[] Digits = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    private static ModelInfo Info(string arch, int h = 28, int w = 28, int c = 1) => new(arch, c, h, w, Digits);

    private static List<(string Key, long[] Shape)> StateShapes(ImageClassifier model)
        => model.Network.state_dict().Select(kv => (kv.Key, kv.Value.shape)).ToList();

    [Fact]
    public void ReferenceCnn_StateDict_HasExactlyThePyTorchKeysAndShapes()
    {
        using var model = new ImageClassifier(Info(Architecture.ReferenceCnn));
        var state = StateShapes(model);

        Assert.Equal(new[] { "0.weight", "0.bias", "2.weight", "2.bias", "5.weight", "5.bias" }, state.Select(s => s.Key));
        Assert.Equal(new long[] { 32, 1, 3, 3 }, state[0].Shape);
        Assert.Equal(new long[] { 32 }, state[1].Shape);
        Assert.Equal(new long[] { 64, 32, 3, 3 }, state[2].Shape);
        Assert.Equal(new long[] { 64 }, state[3].Shape);
        Assert.Equal(new long[] { 10, 64 * 24 * 24 }, state[4].Shape);
        Assert.Equal(new long[] { 10, 36864 }, state[4].Shape);
        Assert.Equal(new long[] { 10 }, state[5].Shape);
    }

    [Fact]
    public void ReferenceCnn_Layers_AreConvReluConvReluFlattenLinear()
    {
        using var model = new ImageClassifier(Info(Architecture.ReferenceCnn));
        var types = model.Layers.Select(l => l.GetType().Name).ToArray();
        Assert.Equal(new[] { "Conv2d", "ReLU", "Conv2d", "ReLU", "Flatten", "Linear" }, types);
    }

    [Fact]
    public void ReferenceCnn_LinearInputSize_FollowsTheImageSize()
    {
        // 64·(H−4)·(W−4): for 20×16 inputs that is 64·16·12 = 12288.
        using var model = new ImageClassifier(new ModelInfo(Architecture.ReferenceCnn, 1, 20, 16, ["a", "b", "c"]));
        var state = StateShapes(model);
        Assert.Equal(new long[] { 3, 64 * 16 * 12 }, state.Single(s => s.Key == "5.weight").Shape);
        using var logits = model.Forward(torch.rand(2, 1, 20, 16));
        Assert.Equal(new long[] { 2, 3 }, logits.shape);
    }

    [Fact]
    public void PooledCnn_OutputIsBatchByClasses_AndLinearTakes64x5x5Features()
    {
        using var model = new ImageClassifier(Info(Architecture.PooledCnn));
        var state = StateShapes(model);
        // Conv(0) ReLU(1) Pool(2) Conv(3) ReLU(4) Pool(5) Flatten(6) Linear(7); 28 → 26 → 13 → 11 → 5.
        Assert.Equal(new[] { "0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias" }, state.Select(s => s.Key));
        Assert.Equal(new long[] { 64, 32, 3, 3 }, state[2].Shape);
        Assert.Equal(new long[] { 10, 64 * 5 * 5 }, state[4].Shape);

        using var x = torch.rand(3, 1, 28, 28);
        using var logits = model.Forward(x);
        Assert.Equal(new long[] { 3, 10 }, logits.shape);
        using var probs = model.Probabilities(x);
        using var sums = probs.sum(1);
        foreach (float s in sums.data<float>().ToArray()) Assert.Equal(1.0, s, 1e-5);
    }

    [Fact]
    public void ParameterCounts_MatchThePyTorchLayerShapes()
    {
        // conv1 32·9+32, conv2 64·32·9+64, dense 10·36864 (reference) or 10·1600 (pooled) weights + 10 biases.
        using var reference = new ImageClassifier(Info(Architecture.ReferenceCnn));
        using var pooled = new ImageClassifier(Info(Architecture.PooledCnn));
        long Count(ImageClassifier m) => m.Network.parameters().Sum(p => p.numel());
        Assert.Equal(320 + 18496 + 368640 + 10, Count(reference));
        Assert.Equal(320 + 18496 + 16000 + 10, Count(pooled));
    }

    [Fact]
    public void UnknownArchitecture_ThrowsGlassboxException_ListingKnownNames()
    {
        var ex = Assert.Throws<GlassboxException>(() => new ImageClassifier(Info("resnet-50")));
        Assert.Contains("Unknown architecture 'resnet-50'", ex.Message);
        Assert.Contains("reference-cnn", ex.Message);
        Assert.Contains("pooled-cnn", ex.Message);
    }

    [Theory]
    [InlineData(Architecture.ReferenceCnn, 4, 28, "at least 5×5")]
    [InlineData(Architecture.PooledCnn, 9, 28, "at least 10×10")]
    public void TooSmallImages_AreRejected_WithTheMinimumSize(string arch, int h, int w, string expected)
    {
        var ex = Assert.Throws<GlassboxException>(() => Architecture.Build(arch, 1, h, w, 10));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void SmallestAcceptedSizes_Build_AndRun()
    {
        using var a = new ImageClassifier(Info(Architecture.ReferenceCnn, 5, 5));
        using var b = new ImageClassifier(Info(Architecture.PooledCnn, 10, 10));
        using var la = a.Forward(torch.rand(1, 1, 5, 5));
        using var lb = b.Forward(torch.rand(1, 1, 10, 10));
        Assert.Equal(new long[] { 1, 10 }, la.shape);
        Assert.Equal(new long[] { 1, 10 }, lb.shape);
    }

    [Fact]
    public void Forward_WithWrongInputShape_NamesTheExpectedShape()
    {
        using var model = new ImageClassifier(Info(Architecture.PooledCnn));
        var ex = Assert.Throws<GlassboxException>(() => model.Forward(torch.rand(2, 1, 27, 28)));
        Assert.Contains("N×1×28×28", ex.Message);
        Assert.Contains("2×1×27×28", ex.Message);
        Assert.Throws<GlassboxException>(() => model.Forward(torch.rand(1, 28, 28)));
    }

    [Fact]
    public void Normalisation_IsAppliedBeforeTheFirstLayer()
    {
        // Flatten + Linear with weight 1 on the single pixel: logit 0 = (x − 0.5) / 0.25.
        var lin = nn.Linear(1, 2);
        using (torch.no_grad())
        {
            lin.weight!.copy_(torch.tensor(new float[] { 1, 0 }, [2, 1]));
            lin.bias!.zero_();
        }
        using var model = new ImageClassifier(new ModelInfo("custom", 1, 1, 1, ["a", "b"], [0.5f], [0.25f]), nn.Sequential(nn.Flatten(), lin));
        using var logits = model.Forward(torch.tensor(new float[] { 1f, 0f }, [2, 1, 1, 1]));
        var v = logits.data<float>().ToArray();
        Assert.Equal(2.0, v[0], 1e-6);
        Assert.Equal(-2.0, v[2], 1e-6);
    }

    [Fact]
    public void ModelInfo_Validate_RejectsBadFields()
    {
        Assert.Contains("two classes", Assert.Throws<GlassboxException>(() => new ModelInfo("x", 1, 2, 2, ["only"]).Validate()).Message);
        Assert.Contains("Invalid input shape", Assert.Throws<GlassboxException>(() => new ModelInfo("x", 0, 2, 2, Digits).Validate()).Message);
        Assert.Contains("both mean and std", Assert.Throws<GlassboxException>(() => new ModelInfo("x", 1, 2, 2, Digits, [0.1f]).Validate()).Message);
        Assert.Contains("one value per channel", Assert.Throws<GlassboxException>(() => new ModelInfo("x", 1, 2, 2, Digits, [0.1f, 0.2f], [1f, 1f]).Validate()).Message);
        Assert.Contains("positive", Assert.Throws<GlassboxException>(() => new ModelInfo("x", 1, 2, 2, Digits, [0.1f], [0f]).Validate()).Message);
    }
}

using Glassbox.Attribution.Catalog;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Cam;

/// <summary>Settings for <see cref="ScoreCam"/>.</summary>
/// <param name="Layer">Layer index, ONNX graph node name or index, or "last-conv" (the last Conv2d or Conv node).</param>
/// <param name="Interpolation">Upsampling of the final map to the input size.</param>
/// <param name="Output">Score masked inputs by logits (default) or probabilities.</param>
/// <param name="InternalBatchSize">Masked images per forward pass.</param>
public sealed record ScoreCamOptions(
    [property: Option("layer", Reference = "layer", Help = "Layer index, ONNX graph node name or index, or last-conv")] string Layer = "last-conv",
    [property: Option("interpolation", Reference = "interpolate_mode", Help = "Upsampling of the map to the input: nearest (Captum) or bilinear")] CamInterpolation Interpolation = CamInterpolation.Nearest,
    [property: Option("output", Help = "logits or probabilities (softmax)")] OutputSpace Output = OutputSpace.Logits,
    [property: Option("internal-batch-size", Min = 1, Max = 1000000, Help = "Masked images per forward pass")] int InternalBatchSize = 64);

/// <summary>
/// Score-CAM (Wang et al. 2020, "Score-CAM: Score-Weighted Visual Explanations for Convolutional Neural Networks"):
/// each activation channel A_k, upsampled (bilinear) and min–max normalised to [0,1], masks the input; the masked
/// images' target scores s_k become channel weights softmax_k(s_k) (the paper's Algorithm 1, as pytorch-grad-cam);
/// map ReLU(Σ_k w_k A_k), upsampled. Subtracting the baseline image's score (the paper's "increase of confidence")
/// would not change the weights, since the softmax is shift-invariant. Forward passes only after the activations,
/// batched (internal batch size).
/// </summary>
public sealed class ScoreCam : IAttributionMethod
{
    private readonly IImageModel _model;
    private readonly CamLayers _layers;

    /// <summary>Prepares Score-CAM for <paramref name="model"/>.</summary>
    public ScoreCam(IImageModel model, ScoreCamOptions? options = null)
    {
        Options = options ?? new ScoreCamOptions();
        if (Options.InternalBatchSize < 1) throw new GlassboxException($"The internal batch size must be at least 1, not {Options.InternalBatchSize}.");
        _model = model;
        _layers = new CamLayers(model, Options.Layer, "Score-CAM");
    }

    /// <summary>The settings in use.</summary>
    public ScoreCamOptions Options { get; }

    /// <inheritdoc />
    public string Name => "score-cam";

    /// <summary>Channel weights (N×K, each row sums to 1) for one class per input.</summary>
    public Tensor ChannelWeights(Tensor pixels, long[] classes)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var a = _layers.Activations(pixels);
        return Weights(a, pixels, classes).MoveToOuterDisposeScope();
    }

    private Tensor Weights(Tensor a, Tensor x, long[] classes)
    {
        using var noGrad = torch.no_grad();
        long n = x.shape[0], kch = a.shape[1], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        var up = nn.functional.interpolate(a, [h, w], mode: InterpolationMode.Bilinear, align_corners: false); // N×K×H×W
        var lo = up.amin([2, 3], keepdim: true);
        var hi = up.amax([2, 3], keepdim: true);
        var range = hi - lo;
        var masks = torch.where(range > 0, (up - lo) / torch.where(range > 0, range, torch.ones_like(range)), torch.zeros_like(up));
        var scores = torch.zeros(n, kch, dtype: ScalarType.Float32, device: x.device);
        var cls = torch.tensor(classes, device: x.device);
        for (long i = 0; i < n; i++)
        {
            var masked = x[i].unsqueeze(0) * masks[i].unsqueeze(1); // K×C×H×W
            for (long s = 0; s < kch; s += Options.InternalBatchSize)
            {
                long len = Math.Min(Options.InternalBatchSize, kch - s);
                var logits = _model.Forward(masked.narrow(0, s, len));
                var o = Options.Output == OutputSpace.Logits ? logits : nn.functional.softmax(logits, 1);
                scores[i].narrow(0, s, len).copy_(o.select(1, classes[i]));
            }
        }
        return nn.functional.softmax(scores, 1);
    }

    /// <inheritdoc />
    public Explanation Attribute(Tensor inputs, TargetSelection targets, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
        => CamRunner.Run(_model, _layers, "ScoreCam", Options, inputs, targets, Options.Output, 1, Options.Interpolation,
            (a, _, x, cls) =>
            {
                var act = a.detach();
                var weights = Weights(act, x, cls);
                return nn.functional.relu((weights.unsqueeze(2).unsqueeze(3) * act).sum(1, keepdim: true));
            }, progress, cancel);
}

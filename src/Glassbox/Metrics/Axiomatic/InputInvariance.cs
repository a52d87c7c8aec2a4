using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Metrics.Common;
using Glassbox.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Axiomatic;

/// <summary>Settings for <see cref="InputInvariance"/> (Quantus' defaults).</summary>
/// <param name="InputShift">The constant m added to every pixel (Quantus <c>input_shift</c>, −1).</param>
/// <param name="AbsoluteTolerance">Maps are equal when |a − a′| ≤ atol + rtol·|a′| everywhere (NumPy <c>isclose</c>, as Quantus: atol 1e-4).</param>
/// <param name="RelativeTolerance">The rtol of that test (NumPy's default 1e-5).</param>
public sealed record InputInvarianceOptions(
    [property: Option("input-shift", Reference = "input_shift", Min = -1e6, Max = 1e6, Help = "Constant added to every pixel")] double InputShift = -1,
    [property: Option("atol", Min = 0, Max = 1e300, Help = "Absolute tolerance of the map comparison")] double AbsoluteTolerance = 1e-4,
    [property: Option("rtol", Min = 0, Max = 1e300, Help = "Relative tolerance of the map comparison")] double RelativeTolerance = 1e-5);

/// <summary>Per map, how far the shifted model's map is from the original one.</summary>
/// <param name="MaxDifference">[n·K+k]: max |a − a′| over the map.</param>
/// <param name="FirstLayer">The layer whose bias compensated the shift (e.g. "Conv2d at 0").</param>
public sealed record InputInvarianceDetail(double[] MaxDifference, string FirstLayer);

/// <summary>
/// Input invariance (Kindermans et al. 2017/2019, "The (Un)reliability of Saliency Methods"), as Quantus'
/// <c>InputInvariance</c>: a second model sees x + m and has its first layer's bias lowered by W·m, so it computes the
/// same function of x; an input-invariant method gives the same map for both. Each map scores 1 when the two maps are
/// equal within the tolerances, else 0. Needs a built-in or Sequential-spec model whose first weighted layer (after
/// reshaping layers such as Flatten) is a Linear or an unpadded Conv2d; the copy shares every other layer.
/// </summary>
public sealed class InputInvariance(InputInvarianceOptions? options = null) : IReexplainingMetric
{
    /// <summary>The settings.</summary>
    public InputInvarianceOptions Options { get; } = options ?? new InputInvarianceOptions();

    /// <inheritdoc/>
    public string Name => "input-invariance";
    /// <inheritdoc/>
    public MetricCategory Category => MetricCategory.Axiomatic;
    /// <inheritdoc/>
    public bool HigherIsBetter => true;
    /// <inheritdoc/>
    public MetricRequirement Requirement => MetricRequirement.Forward;

    /// <inheritdoc/>
    public MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, ExplainFunction explain, CancellationToken cancel = default)
    {
        MetricInputs.CheckExplained(model, inputs, explanation, Name);
        if (!double.IsFinite(Options.InputShift)) throw new GlassboxException($"input-invariance needs a finite input shift, not {Options.InputShift}.");
        var (shifted, firstLayer, added) = ShiftedModel(model, Options.InputShift);
        try
        {
            using var x = inputs.detach() + Options.InputShift;
            int n = explanation.Count, k = explanation.TargetsPerInput, size = explanation.MapSize;
            var scores = new double[n * k];
            var maxDiff = new double[n * k];
            foreach (var (slots, targets) in Slots(explanation))
            {
                cancel.ThrowIfCancellationRequested();
                var again = explain(shifted, x, targets, cancel);
                if (again.Count != n || again.MapSize != size || again.TargetsPerInput != slots.Length)
                    throw new GlassboxException($"input-invariance: the explain function returned {again.Count}×{again.TargetsPerInput} maps of {again.MapSize} values, expected {n}×{slots.Length} of {size}.");
                for (int i = 0; i < n; i++)
                    for (int s = 0; s < slots.Length; s++)
                    {
                        var a = explanation.Map(i, slots[s]);
                        var b = again.Map(i, s);
                        bool close = true;
                        double worst = 0;
                        for (int p = 0; p < size; p++)
                        {
                            double d = Math.Abs((double)a[p] - b[p]);
                            worst = Math.Max(worst, double.IsNaN(d) ? double.PositiveInfinity : d);
                            if (!(d <= Options.AbsoluteTolerance + Options.RelativeTolerance * Math.Abs(b[p]))) close = false;
                        }
                        scores[i * k + slots[s]] = close ? 1 : 0;
                        maxDiff[i * k + slots[s]] = worst;
                    }
            }
            return new MetricResult(Name, scores, Options, new InputInvarianceDetail(maxDiff, firstLayer));
        }
        finally
        {
            added.Dispose();
        }
    }

    /// <summary>b − W·d for the first weighted layer, d the shift as that layer sees it; refuses layers where no bias can compensate it.</summary>
    private static float[] CompensatedBias(ImageClassifier classifier, IReadOnlyList<nn.Module<Tensor, Tensor>> layers, int index, double shift)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var info = classifier.Info;
        var zeros = torch.zeros(1, info.Channels, info.Height, info.Width, device: classifier.Device);
        var d = classifier.Preprocess(zeros + shift) - classifier.Preprocess(zeros);
        for (int i = 0; i < index; i++) d = layers[i].forward(d);
        var layer = layers[index];
        var response = layer.forward(d) - layer.forward(torch.zeros_like(d));
        Tensor? bias = null;
        if (layer is Conv2d conv)
        {
            if (conv.padding_mode != PaddingModes.Zeros || conv.padding is null || conv.padding.Any(p => p != 0))
                throw new GlassboxException(
                    $"input-invariance: the first convolution (layer {index}) pads its input, so no bias can compensate the shift at the borders; it supports unpadded first convolutions only.");
            var high = response.amax([0, 2, 3]);
            var low = response.amin([0, 2, 3]);
            if ((high - low).abs().max().item<float>() > 1e-5f * Math.Max(1f, high.abs().max().item<float>()))
                throw new GlassboxException("input-invariance: the shift reaches the first convolution unevenly across positions, so a per-channel bias cannot compensate it.");
            response = high;
            bias = conv.bias;
        }
        else if (layer is Linear lin)
        {
            response = response.reshape(-1);
            bias = lin.bias;
        }
        var result = (bias is null ? -response : bias.detach() - response).to_type(ScalarType.Float32).cpu();
        return result.data<float>().ToArray();
    }

    /// <summary>The target selections that re-explain every slot k: all at once when every input has the same classes, else one slot at a time.</summary>
    private static IEnumerable<(int[] Slots, TargetSelection Targets)> Slots(Explanation e)
    {
        int n = e.Count, k = e.TargetsPerInput;
        var first = e.Targets.Take(k).ToArray();
        if (k == 1) { yield return ([0], TargetSelection.PerInput(e.Targets)); yield break; }
        if (Enumerable.Range(0, n).All(i => e.Targets.AsSpan(i * k, k).SequenceEqual(first)))
        {
            yield return (Enumerable.Range(0, k).ToArray(), TargetSelection.Classes(first));
            yield break;
        }
        for (int s = 0; s < k; s++)
            yield return ([s], TargetSelection.PerInput(Enumerable.Range(0, n).Select(i => e.Targets[i * k + s]).ToArray()));
    }

    /// <summary>
    /// A model computing f(x) on inputs x + <paramref name="shift"/>: the first weighted layer is copied with bias
    /// b − W·d, d the shift as the layer sees it (after the model's normalisation and any reshaping layers before it).
    /// The copy shares every other layer with <paramref name="model"/>; only the returned new layer is its own.
    /// </summary>
    public static (IImageModel Model, string FirstLayer, IDisposable NewLayer) ShiftedModel(IImageModel model, double shift)
    {
        if (model is not ImageClassifier classifier || model.Kind is not (ModelKind.BuiltIn or ModelKind.SequentialSpec))
            throw new GlassboxException(
                $"input-invariance changes the first layer's bias of a copy of the model, which it can do for built-in and Sequential-spec models only; this is a {model.Kind} model. " +
                "Use a built-in architecture or a Sequential spec (JSON layers + safetensors).");
        var layers = classifier.Layers ?? throw new GlassboxException(
            $"input-invariance changes the first layer's bias of a copy of the model, which needs a plain layer list; this {classifier.Info.Architecture} model is a graph of branches. " +
            "Use a layer-list architecture (cnn, pooled-cnn) or a Sequential spec.");
        int index = 0;
        while (index < layers.Count && layers[index] is Flatten or Identity) index++;
        if (index == layers.Count || layers[index] is not (Conv2d or Linear))
            throw new GlassboxException(
                $"input-invariance needs a Conv2d or Linear as the model's first weighted layer (after Flatten), but layer {index} is {(index < layers.Count ? layers[index].GetType().Name : "missing")}.");
        var bias = CompensatedBias(classifier, layers, index, shift);
        nn.Module<Tensor, Tensor> copy;
        using (torch.no_grad())
        {
            switch (layers[index])
            {
                case Conv2d conv:
                {
                    var w = conv.weight!.detach();
                    var c = nn.Conv2d(conv.in_channels, conv.out_channels, (w.shape[2], w.shape[3]), stride: (conv.stride[0], conv.stride[1]),
                        padding: (0, 0), dilation: (conv.dilation[0], conv.dilation[1]), groups: conv.groups, bias: true, device: w.device, dtype: w.dtype);
                    c.weight!.copy_(w);
                    using var b = torch.tensor(bias, dtype: w.dtype, device: w.device);
                    c.bias!.copy_(b);
                    copy = c;
                    break;
                }
                case Linear lin:
                {
                    var w = lin.weight!.detach();
                    var l = nn.Linear(w.shape[1], w.shape[0], hasBias: true, device: w.device, dtype: w.dtype);
                    l.weight!.copy_(w);
                    using var b = torch.tensor(bias, dtype: w.dtype, device: w.device);
                    l.bias!.copy_(b);
                    copy = l;
                    break;
                }
                default:
                    throw new InvalidOperationException();
            }
        }
        copy.eval();
        var modules = layers.Select((m, i) => ($"{i}", i == index ? copy : (nn.Module<Tensor, Tensor>)m)).ToArray();
        // The copy shares the original's other layers: it is never disposed as a whole (that would dispose them too).
        var shifted = new ImageClassifier(model.Info, nn.Sequential(modules), model.Device) { Kind = model.Kind };
        return (shifted, $"{layers[index].GetType().Name} at {index}", copy);
    }
}

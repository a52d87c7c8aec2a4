using static TorchSharp.torch;

namespace Glassbox.Models;

/// <summary>Where a model came from; decides which attribution methods can run on it.</summary>
public enum ModelKind
{
    /// <summary>A Glassbox architecture built with TorchSharp.</summary>
    BuiltIn,
    /// <summary>A JSON layer list plus safetensors weights (PyTorch nn.Sequential keys).</summary>
    SequentialSpec,
    /// <summary>A TorchScript file from torch.jit.trace/script: differentiable, but its layers are opaque.</summary>
    TorchScript,
    /// <summary>An ONNX model run by ONNX Runtime: a black-box function, no gradients.</summary>
    Onnx,
    /// <summary>An ONNX graph imported into TorchSharp: differentiable, its nodes visible (a layer list only for plain chains).</summary>
    OnnxGraph,
}

/// <summary>
/// Any image classifier Glassbox can explain: N×C×H×W pixels in [0,1] in, N×classes logits out.
/// Gradient methods need <see cref="SupportsGradients"/>; propagation rules (DeepLIFT, LRP, guided backprop)
/// need <see cref="Layers"/>; perturbation and Shapley-sampling methods need only <see cref="Forward"/>.
/// </summary>
public interface IImageModel : IDisposable
{
    /// <summary>Input shape, classes and preprocessing.</summary>
    ModelInfo Info { get; }

    /// <summary>Device of the model's computation.</summary>
    Device Device { get; }

    /// <summary>Where the model came from.</summary>
    ModelKind Kind { get; }

    /// <summary>True when autograd can differentiate <see cref="Forward"/> with respect to its input.</summary>
    bool SupportsGradients { get; }

    /// <summary>The layers after <see cref="Preprocess"/>, in order, or null when the model is opaque.</summary>
    IReadOnlyList<nn.Module<Tensor, Tensor>>? Layers { get; }

    /// <summary>Maps [0,1] pixels to the first layer's input (affine: identity or per-channel normalisation).</summary>
    Tensor Preprocess(Tensor pixels);

    /// <summary>Logits for N×C×H×W pixels; differentiable when <see cref="SupportsGradients"/>.</summary>
    Tensor Forward(Tensor pixels);

    /// <summary>
    /// The model as visible graph nodes (an imported ONNX graph, or the nodes of a built-in residual network) that
    /// propagation rules and CAMs walk when there is no layer list, or null.
    /// </summary>
    Graph.GraphModel? NodeGraph => null;

    /// <summary>Why gradients or layers are unavailable when the source knows more than its kind (e.g. the ONNX op the graph importer refused), else null.</summary>
    string? OpaqueReason => null;
}

/// <summary>Checks of what a model can do, with errors that say which methods work instead.</summary>
public static class ModelCapabilities
{
    /// <summary>Throws unless <paramref name="model"/> is differentiable.</summary>
    public static void RequireGradients(IImageModel model, string method)
    {
        if (!model.SupportsGradients)
            throw new GlassboxException(
                $"{method} needs gradients, but this {model.Kind} model is a black box. Use a perturbation or Shapley-sampling method " +
                "(occlusion, feature-ablation, shapley-value-sampling, kernel-shap, lime, partition-shap)." + Because(model));
    }

    private static string Because(IImageModel model) => model.OpaqueReason is { } why ? $" (It is opaque because {why}.)" : "";

    /// <summary>
    /// True when the model's structure is visible to layer-wise rules and CAMs: a layer list, or the nodes of an ONNX
    /// graph (<see cref="IImageModel.NodeGraph"/>: an ONNX graph or a built-in residual network), branching or not.
    /// </summary>
    public static bool HasVisibleLayers(IImageModel model) => model.Layers is not null || model.NodeGraph is not null;

    /// <summary>Throws the error of <see cref="RequireLayers"/> unless <see cref="HasVisibleLayers"/>.</summary>
    public static void RequireVisibleLayers(IImageModel model, string method)
    {
        if (!HasVisibleLayers(model)) RequireLayers(model, method);
    }

    /// <summary>Returns the layers or throws a clear error for opaque models.</summary>
    public static IReadOnlyList<nn.Module<Tensor, Tensor>> RequireLayers(IImageModel model, string method)
        => model.Layers ?? throw new GlassboxException(
            $"{method} applies rules layer by layer, but this {model.Kind} model's layers are not visible. " +
            "Use a gradient method (saliency, integrated-gradients, gradient-shap, ...) or a perturbation method, or load the model as a Sequential spec." +
            (model.Kind == ModelKind.TorchScript
                ? " TorchScript graphs are not walkable from TorchSharp 0.107; export the model to ONNX, which Glassbox imports as a graph: " +
                  "torch.onnx.export(model.eval(), torch.rand(1, C, H, W), \"model.onnx\", opset_version=13, dynamic_axes={\"input\": {0: \"batch\"}}, input_names=[\"input\"])" +
                  " (keep the model.json sidecar beside it)."
                : "") + Because(model));

    /// <summary>Throws a <see cref="GlassboxException"/> unless <paramref name="pixels"/> is N×C×H×W of the model's size.</summary>
    public static void CheckInput(IImageModel model, Tensor pixels)
    {
        var i = model.Info;
        if (pixels.dim() != 4 || pixels.shape[1] != i.Channels || pixels.shape[2] != i.Height || pixels.shape[3] != i.Width)
            throw new GlassboxException(
                $"The model expects images of shape N×{i.Channels}×{i.Height}×{i.Width}, got {string.Join("×", pixels.shape)}. " +
                "Resize the images or use a model trained on this size.");
    }

    /// <summary>
    /// Throws a <see cref="GlassboxException"/> unless <paramref name="logits"/> is N×classes and finite: NaN or
    /// infinite logits would give NaN probabilities and an arbitrary "class 0" prediction.
    /// </summary>
    public static void CheckOutputs(IImageModel model, Tensor logits)
    {
        if (logits.dim() != 2 || logits.shape[1] != model.Info.Classes)
            throw new GlassboxException(
                $"The model returned logits of shape {string.Join("×", logits.shape)}; {model.Info.Classes} classes need N×{model.Info.Classes}. " +
                "Check that the model description names the right classes.");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var finitePerImage = isfinite(logits.detach()).all(1).cpu();
        bool[] ok = finitePerImage.data<bool>().ToArray();
        int bad = ok.Count(f => !f);
        if (bad > 0)
            throw new GlassboxException(
                $"The {model.Kind} model's outputs are NaN or infinite for {bad} of {ok.Length} images (first: image {Array.IndexOf(ok, false)}), " +
                "so no class or probability can be given. Its weights or normalisation overflow float32: check the weights file (values near ±3e38) " +
                "and the normalisation mean/std in the model description.");
    }

    /// <summary>
    /// Runs <paramref name="model"/> on one mid-gray image and throws a <see cref="GlassboxException"/> naming
    /// <paramref name="source"/> when the logits are not finite: a load-time check that the weights are usable.
    /// </summary>
    public static void CheckLoadedOutputs(IImageModel model, string source)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var gray = full(new long[] { 1, model.Info.Channels, model.Info.Height, model.Info.Width }, 0.5f, device: model.Device);
        try
        {
            CheckOutputs(model, model.Forward(gray));
        }
        catch (GlassboxException e)
        {
            throw new GlassboxException($"'{source}' cannot be used: on a plain gray image {char.ToLowerInvariant(e.Message[0])}{e.Message[1..]}", e);
        }
    }
}

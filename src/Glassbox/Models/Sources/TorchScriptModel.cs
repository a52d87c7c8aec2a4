using Glassbox.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Models.Sources;

/// <summary>
/// A TorchScript file (<c>torch.jit.trace</c> or <c>torch.jit.script</c>) run by libtorch through TorchSharp.
/// Differentiable, so gradient, CAM-free and perturbation methods apply; its layers are opaque, so propagation rules
/// (DeepLIFT, LRP, guided backprop) and CAMs refuse it. Input shape and classes come from a sidecar JSON
/// (<c>model.pt</c> → <c>model.json</c>) with the keys of <see cref="ModelDescription"/>.
/// </summary>
public sealed class TorchScriptModel : IImageModel
{
    private readonly jit.ScriptModule<Tensor, Tensor> _module;
    private readonly Tensor? _mean;
    private readonly Tensor? _std;

    private TorchScriptModel(jit.ScriptModule<Tensor, Tensor> module, ModelInfo info, Device device)
    {
        _module = module;
        Info = info;
        Device = device;
        if (info.Mean is not null)
        {
            _mean = tensor(info.Mean, [1, info.Channels, 1, 1]).to(device);
            _std = tensor(info.Std!, [1, info.Channels, 1, 1]).to(device);
        }
    }

    /// <summary>Loads <paramref name="path"/> and its sidecar JSON (default: the same name with .json).</summary>
    public static TorchScriptModel Load(string path, Device? device = null, string? sidecar = null)
    {
        NativeRuntime.EnsureInitialized();
        if (!File.Exists(path)) throw new GlassboxException($"TorchScript file '{path}' does not exist.");
        if (!Glassbox.IO.ContainedPath.IsRegularFile(Glassbox.IO.ContainedPath.RealPath(Path.GetFullPath(path), $"TorchScript file '{path}'")))
            throw new GlassboxException($"TorchScript file '{path}' is not a regular file (a device, pipe or socket). Pass the file torch.jit.save wrote.");
        sidecar ??= Path.ChangeExtension(path, ".json");
        if (!File.Exists(sidecar))
            throw new GlassboxException($"'{path}' needs a description next to it: '{sidecar}' with \"input\": {{\"channels\", \"height\", \"width\"}} and \"classes\" (see docs/models.md).");
        var info = ModelDescription.Info(ModelDescription.ReadJson(sidecar), "torchscript", sidecar);
        device ??= CPU;
        jit.ScriptModule<Tensor, Tensor> module;
        try
        {
            module = jit.load<Tensor, Tensor>(path, device.type, device.index);
        }
        catch (Exception e) when (e is not GlassboxException)
        {
            throw new GlassboxException($"'{path}' is not a loadable TorchScript file (save it with torch.jit.save of a traced or scripted module): {e.Message.Split('\n')[0]}");
        }
        module.eval();
        var model = new TorchScriptModel(module, info, device);
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            Tensor y;
            try
            {
                y = model.Forward(zeros(1, info.Channels, info.Height, info.Width, device: device));
            }
            catch (Exception e) when (e is not GlassboxException)
            {
                throw new GlassboxException($"'{path}' fails on an input of shape 1×{info.Channels}×{info.Height}×{info.Width} (as '{sidecar}' describes): {e.Message.Split('\n')[0]}");
            }
            if (y.dim() != 2 || y.shape[1] != info.Classes)
                throw new GlassboxException($"'{path}' returns shape {string.Join("×", y.shape)} for one image; '{sidecar}' names {info.Classes} classes, so it must return 1×{info.Classes} logits.");
            ModelCapabilities.CheckLoadedOutputs(model, path);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public ModelInfo Info { get; }

    /// <inheritdoc />
    public Device Device { get; }

    /// <inheritdoc />
    public ModelKind Kind => ModelKind.TorchScript;

    /// <inheritdoc />
    public bool SupportsGradients => true;

    /// <inheritdoc />
    public IReadOnlyList<nn.Module<Tensor, Tensor>>? Layers => null;

    /// <inheritdoc />
    public Tensor Preprocess(Tensor pixels)
    {
        ModelCapabilities.CheckInput(this, pixels);
        return _mean is null ? pixels.alias() : (pixels - _mean) / _std!;
    }

    /// <inheritdoc />
    public Tensor Forward(Tensor pixels)
    {
        using var pre = Preprocess(pixels);
        return _module.forward(pre);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _module.Dispose();
        _mean?.Dispose();
        _std?.Dispose();
    }
}

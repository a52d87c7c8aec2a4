using Glassbox.Checkpoints;
using Glassbox.Models.Graph;
using static TorchSharp.torch;

namespace Glassbox.Models.Sources;

/// <summary>Loads any model Glassbox can explain from a path, choosing the source by what the path is.</summary>
public static class ModelLoader
{
    /// <summary>
    /// A Glassbox checkpoint folder (or its model.json), a Sequential spec <c>.json</c> (+ safetensors), a TorchScript
    /// <c>.pt</c>/<c>.pth</c>/<c>.ts</c> file (+ sidecar JSON), or an <c>.onnx</c> file (imported as a differentiable
    /// <see cref="GraphModel"/> when every op is supported, else run by ONNX Runtime as a black box).
    /// </summary>
    public static IImageModel Load(string path, Device? device = null)
    {
        if (Directory.Exists(path) || Path.GetFileName(path) == Checkpoint.MetadataFile)
            return Checkpoint.Load(path, device).Model;
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (!File.Exists(path))
        {
            if (ext is ".json" or ".pt" or ".pth" or ".ts" or ".onnx") throw new GlassboxException($"Model file '{path}' does not exist.");
            if (ext.Length == 0) return Checkpoint.Load(path, device).Model; // says the checkpoint folder does not exist
        }
        return ext switch
        {
            ".json" => SequentialSpec.Load(path, device),
            ".pt" or ".pth" or ".ts" => TorchScriptModel.Load(path, device),
            ".onnx" => OnnxGraphLoader.Load(path, device),
            _ => throw new GlassboxException($"'{path}' is not a model Glassbox can load. Pass a checkpoint folder, a Sequential spec .json, a TorchScript .pt or an .onnx file."),
        };
    }
}

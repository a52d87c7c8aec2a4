using System.Text.Json.Nodes;
using Glassbox.Models.Sources;
using Google.Protobuf;
using Onnx;
using static TorchSharp.torch;

namespace Glassbox.Models.Graph;

/// <summary>
/// Loads an <c>.onnx</c> file as a <see cref="GraphModel"/> when the graph importer supports every node, and otherwise
/// as an ONNX Runtime black box (<see cref="OnnxModel"/>) that keeps the importer's reason for the errors of gradient
/// and layer methods. The sidecar JSON (<c>model.onnx</c> → <c>model.json</c>) describes input, classes and
/// normalisation as for <see cref="OnnxModel"/>; <c>"onnx_runtime": true</c> in it forces the black box.
/// </summary>
public static class OnnxGraphLoader
{
    /// <summary>The sidecar key that forces ONNX Runtime.</summary>
    public const string ForceRuntimeKey = "onnx_runtime";

    /// <summary>Loads <paramref name="path"/> as a graph, or as a black box when the graph cannot be imported.</summary>
    public static IImageModel Load(string path, Device? device = null)
    {
        if (!File.Exists(path)) throw new GlassboxException($"ONNX file '{path}' does not exist.");
        if (!Glassbox.IO.ContainedPath.IsRegularFile(Glassbox.IO.ContainedPath.RealPath(Path.GetFullPath(path), $"ONNX file '{path}'")))
            throw new GlassboxException($"ONNX file '{path}' is not a regular file (a device, pipe or socket). Pass the .onnx file itself.");
        string sidecar = Path.ChangeExtension(path, ".json");
        var json = File.Exists(sidecar) ? ModelDescription.ReadJson(sidecar) : new JsonObject();
        if (json[ForceRuntimeKey] is JsonValue force && force.TryGetValue(out bool runtime) && runtime)
            return OnnxModel.Load(path, device, sidecar, $"its sidecar '{sidecar}' asks for ONNX Runtime (\"{ForceRuntimeKey}\": true)");
        try
        {
            return Import(path, device ?? CPU, Parse(path));
        }
        catch (OnnxRefusal refusal)
        {
            return OnnxModel.Load(path, device, sidecar, $"the graph importer refused it: {refusal.Message}");
        }
    }

    /// <summary>Imports <paramref name="path"/> as a <see cref="GraphModel"/>; throws a <see cref="GlassboxException"/> for a file that is not ONNX or a graph the importer cannot take.</summary>
    public static GraphModel Import(string path, Device? device = null)
    {
        try
        {
            return Import(path, device ?? CPU, Parse(path));
        }
        catch (OnnxRefusal refusal)
        {
            throw new GlassboxException($"'{path}' cannot be imported as a graph: {refusal.Message}. Load it with ModelLoader to run it by ONNX Runtime instead.");
        }
    }

    /// <summary>The protobuf model in <paramref name="path"/>.</summary>
    public static ModelProto Parse(string path)
    {
        if (!File.Exists(path)) throw new GlassboxException($"ONNX file '{path}' does not exist.");
        try
        {
            var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
            if (model.Graph is null || model.Graph.Node.Count == 0)
                throw new GlassboxException($"'{path}' is not a valid ONNX model: it holds no graph nodes.");
            return model;
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new GlassboxException($"'{path}' is not a valid ONNX model: {e.Message.Split('\n')[0]}");
        }
    }

    private static GraphModel Import(string path, Device device, ModelProto model)
    {
        var graph = model.Graph;
        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet();
        var inputs = graph.Input.Where(i => !initializers.Contains(i.Name)).ToList();
        if (inputs.Count != 1) throw new OnnxRefusal($"the graph takes {inputs.Count} inputs; Glassbox explains models with one N×C×H×W image input");
        var type = inputs[0].Type?.TensorType;
        if (type is null || type.ElemType != (int)TensorProto.Types.DataType.Float)
            throw new OnnxRefusal($"input '{inputs[0].Name}' is not a float32 tensor");
        long[] dims = type.Shape?.Dim.Select(d => d.HasDimValue ? d.DimValue : -1).ToArray() ?? [];
        if (dims.Length != 4) throw new OnnxRefusal($"input '{inputs[0].Name}' has rank {dims.Length}; Glassbox needs N×C×H×W images");
        if (dims[0] > 1) throw new OnnxRefusal($"the graph fixes the batch to {dims[0]} images");
        var outDims = graph.Output.FirstOrDefault()?.Type?.TensorType?.Shape?.Dim.Select(d => d.HasDimValue ? d.DimValue : -1).ToArray() ?? [];
        int? classCount = outDims.Length == 2 && outDims[1] > 0 ? (int)outDims[1] : null;
        (int, int, int)? shape = dims[1] > 0 && dims[2] > 0 && dims[3] > 0 ? ((int)dims[1], (int)dims[2], (int)dims[3]) : null;
        string sidecar = Path.ChangeExtension(path, ".json");
        bool hasSidecar = File.Exists(sidecar);
        var json = hasSidecar ? ModelDescription.ReadJson(sidecar) : new JsonObject();
        // Missing or inconsistent descriptions are reported by the ONNX Runtime loader with its established messages.
        if ((shape is null && json["input"] is null) || (classCount is null && json["classes"] is null))
            throw new OnnxRefusal("the model's input or output size is dynamic and the sidecar does not describe it");
        var info = ModelDescription.Info(json, "onnx", hasSidecar ? sidecar : path, classCount, shape);
        if (shape is { } s && (s.Item1 != info.Channels || s.Item2 != info.Height || s.Item3 != info.Width))
            throw new OnnxRefusal("the sidecar's input shape differs from the model's");
        if (classCount is { } k && k != info.Classes)
            throw new OnnxRefusal("the sidecar's classes differ from the model's output size");
        bool perImage = dims[0] == 1;
        var result = OnnxGraphImporter.Import(model, info, device, perImage, path);
        if (!perImage) CheckBatch(result);
        return result;
    }

    /// <summary>Refuses graphs that bake a batch size of one into their shapes (a reshape to 1×K, say).</summary>
    private static void CheckBatch(GraphModel model)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var i = model.Info;
        try
        {
            var y = model.Forward(zeros(2, i.Channels, i.Height, i.Width, device: model.Device));
            if (y.dim() == 2 && y.shape[0] == 2 && y.shape[1] == i.Classes) return;
            model.Dispose();
            throw new OnnxRefusal($"the graph returns shape {string.Join("×", y.shape)} for two images; it seems to fix the batch size");
        }
        catch (Exception e) when (e is not OnnxRefusal)
        {
            model.Dispose();
            throw new OnnxRefusal($"the graph fails on a batch of two images ({e.Message.Split('\n')[0]}); it seems to fix the batch size");
        }
    }
}

using Microsoft.ML.OnnxRuntime;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using Tensor = TorchSharp.torch.Tensor;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Models.Sources;

/// <summary>
/// An ONNX model run by ONNX Runtime on the CPU: a black-box function (no gradients, no layers), so perturbation and
/// Shapley-sampling methods apply. Inputs are evaluated in batches (one image at a time when the model's batch
/// dimension is fixed to 1). Input shape comes from the model where it is fixed, classes from its output size; a sidecar
/// JSON (<c>model.onnx</c> → <c>model.json</c>) may name classes, the input shape and normalisation.
/// </summary>
public sealed class OnnxModel : IImageModel
{
    private readonly InferenceSession _session;
    private readonly string _inputName;
    private readonly long _fixedBatch;
    private readonly Tensor? _mean;
    private readonly Tensor? _std;

    private OnnxModel(InferenceSession session, string inputName, long fixedBatch, ModelInfo info, Device device, string? opaqueReason)
    {
        _session = session; _inputName = inputName; _fixedBatch = fixedBatch; Info = info; Device = device; OpaqueReason = opaqueReason;
        if (info.Mean is not null)
        {
            _mean = tensor(info.Mean, [1, info.Channels, 1, 1]);
            _std = tensor(info.Std!, [1, info.Channels, 1, 1]);
        }
    }

    /// <summary>
    /// Loads <paramref name="path"/> (and its sidecar JSON if present); <paramref name="opaqueReason"/> says why it runs as
    /// a black box (e.g. the op the graph importer refused), for the errors of methods that need gradients or layers.
    /// </summary>
    public static OnnxModel Load(string path, Device? device = null, string? sidecar = null, string? opaqueReason = null)
    {
        if (!File.Exists(path)) throw new GlassboxException($"ONNX file '{path}' does not exist.");
        if (!Glassbox.IO.ContainedPath.IsRegularFile(Glassbox.IO.ContainedPath.RealPath(Path.GetFullPath(path), $"ONNX file '{path}'")))
            throw new GlassboxException($"ONNX file '{path}' is not a regular file (a device, pipe or socket). Pass the .onnx file itself.");
        InferenceSession session;
        try
        {
            session = new InferenceSession(path, new SessionOptions { IntraOpNumThreads = Math.Max(1, torch.get_num_threads()) });
        }
        catch (OnnxRuntimeException e)
        {
            throw new GlassboxException($"'{path}' is not a valid ONNX model: {e.Message.Split('\n')[0]}");
        }
        try
        {
            if (session.InputMetadata.Count != 1)
                throw new GlassboxException($"'{path}' takes {session.InputMetadata.Count} inputs; Glassbox explains models with one N×C×H×W image input.");
            var (name, meta) = session.InputMetadata.First();
            if (meta.ElementType != typeof(float))
                throw new GlassboxException($"'{path}' takes {meta.ElementType.Name} input '{name}'; Glassbox needs float32 N×C×H×W images.");
            int[] dims = meta.Dimensions;
            if (dims.Length != 4)
                throw new GlassboxException($"'{path}' input '{name}' has rank {dims.Length}; Glassbox needs N×C×H×W images.");
            var outMeta = session.OutputMetadata.First().Value;
            int? classCount = outMeta.Dimensions.Length == 2 && outMeta.Dimensions[1] > 0 ? outMeta.Dimensions[1] : null;
            (int, int, int)? shape = dims[1] > 0 && dims[2] > 0 && dims[3] > 0 ? (dims[1], dims[2], dims[3]) : null;
            sidecar ??= Path.ChangeExtension(path, ".json");
            var json = File.Exists(sidecar) ? ModelDescription.ReadJson(sidecar) : new System.Text.Json.Nodes.JsonObject();
            if (shape is null && json["input"] is null)
                throw new GlassboxException($"'{path}' has a dynamic image size; describe it in '{sidecar}' with \"input\": {{\"channels\", \"height\", \"width\"}}.");
            if (classCount is null && json["classes"] is null)
                throw new GlassboxException($"'{path}' has a dynamic output size; name the classes in '{sidecar}' (\"classes\": [...]).");
            var info = ModelDescription.Info(json, "onnx", File.Exists(sidecar) ? sidecar : path, classCount, shape);
            if (shape is { } s && (s.Item1 != info.Channels || s.Item2 != info.Height || s.Item3 != info.Width))
                throw new GlassboxException($"'{path}' takes {s.Item1}×{s.Item2}×{s.Item3} images but '{sidecar}' says {info.Channels}×{info.Height}×{info.Width}.");
            if (classCount is { } k && k != info.Classes)
                throw new GlassboxException($"'{path}' outputs {k} values but '{sidecar}' names {info.Classes} classes.");
            return new OnnxModel(session, name, dims[0] > 0 ? dims[0] : -1, info, device ?? CPU, opaqueReason);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public ModelInfo Info { get; }

    /// <inheritdoc />
    public Device Device { get; }

    /// <inheritdoc />
    public ModelKind Kind => ModelKind.Onnx;

    /// <inheritdoc />
    public bool SupportsGradients => false;

    /// <inheritdoc />
    public IReadOnlyList<nn.Module<Tensor, Tensor>>? Layers => null;

    /// <inheritdoc />
    public string? OpaqueReason { get; }

    /// <inheritdoc />
    public Tensor Preprocess(Tensor pixels)
    {
        ModelCapabilities.CheckInput(this, pixels);
        using var cpu = pixels.detach().to(CPU).to_type(ScalarType.Float32);
        return _mean is null ? cpu.contiguous() : ((cpu - _mean) / _std!).contiguous();
    }

    /// <inheritdoc />
    public Tensor Forward(Tensor pixels)
    {
        using var x = Preprocess(pixels);
        long n = x.shape[0];
        int d = Info.Channels * Info.Height * Info.Width;
        var data = x.data<float>().ToArray();
        long batch = _fixedBatch > 0 ? _fixedBatch : Math.Max(1, n);
        var logits = new float[n * Info.Classes];
        for (long start = 0; start < n; start += batch)
        {
            long len = Math.Min(batch, n - start);
            var chunk = new float[batch * d];
            Array.Copy(data, start * d, chunk, 0, len * d);
            var input = new DenseTensor(chunk, [(int)batch, Info.Channels, Info.Height, Info.Width]);
            using var results = _session.Run([NamedOnnxValue.CreateFromTensor(_inputName, input)]);
            var output = results.First().AsEnumerable<float>().ToArray();
            if (output.Length != batch * Info.Classes)
                throw new GlassboxException($"The ONNX model returned {output.Length} values for {batch} images; expected {batch}×{Info.Classes} logits.");
            Array.Copy(output, 0, logits, start * Info.Classes, len * Info.Classes);
        }
        return tensor(logits, [n, Info.Classes]).to(pixels.device);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _session.Dispose();
        _mean?.Dispose();
        _std?.Dispose();
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using Glassbox.Checkpoints;
using Glassbox.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Models.Sources;

/// <summary>
/// A model given as a JSON layer list plus safetensors weights whose keys are PyTorch <c>nn.Sequential</c>'s
/// <c>state_dict</c> keys (<c>0.weight</c>, <c>0.bias</c>, <c>3.running_mean</c>, ...). The format is in docs/models.md.
/// The result is an <see cref="ImageClassifier"/> of kind <see cref="ModelKind.SequentialSpec"/> with visible layers, so
/// every attribution method applies.
/// </summary>
public static class SequentialSpec
{
    /// <summary>Layer types a spec may use.</summary>
    public static IReadOnlyList<string> LayerTypes { get; } =
        ["conv2d", "linear", "relu", "leakyrelu", "elu", "sigmoid", "tanh", "softplus", "softmax", "maxpool2d", "avgpool2d", "batchnorm2d", "dropout", "flatten"];

    /// <summary>Loads the spec at <paramref name="path"/> and its weights (the "weights" field, else the same name with .safetensors).</summary>
    public static ImageClassifier Load(string path, Device? device = null)
    {
        var json = ModelDescription.ReadJson(path);
        var info = ModelDescription.Info(json, "sequential-spec", path);
        string weights = WeightsPath(json, path);
        var network = Build(json, info, path);
        var model = new ImageClassifier(info, network, device) { Kind = ModelKind.SequentialSpec };
        try
        {
            var tensors = SafeTensors.Read(weights);
            // num_batches_tracked is a training counter; PyTorch saves it, eval mode never reads it.
            var state = network.state_dict();
            foreach (var key in tensors.Keys.Where(k => k.EndsWith(".num_batches_tracked", StringComparison.Ordinal) && !state.ContainsKey(k)).ToList())
                tensors.Remove(key);
            Checkpoint.LoadWeights(model, tensors, weights);
            ModelCapabilities.CheckLoadedOutputs(model, path);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The weights file of the spec at <paramref name="path"/>: its "weights" field, else the spec's name with .safetensors,
    /// resolved inside the spec's folder (no absolute paths, no escapes, no links leading out, regular files only).
    /// </summary>
    public static string WeightsPath(JsonObject json, string path)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        string name;
        string what;
        if (json["weights"] is null)
        {
            name = Path.GetFileName(Path.ChangeExtension(path, ".safetensors"));
            what = $"The weights of '{path}'";
        }
        else if (json["weights"] is JsonValue wv && wv.TryGetValue(out string? w) && !string.IsNullOrWhiteSpace(w))
        {
            name = w;
            what = $"'{path}' field \"weights\"";
        }
        else
            throw new GlassboxException($"'{path}': \"weights\" must be a file name relative to the spec's folder, like \"model.safetensors\".");
        string full = ContainedPath.ResolveName(folder, name, what);
        if (!File.Exists(full) && !Directory.Exists(full))
            throw new GlassboxException($"The weights of '{path}' were not found at '{full}'. Save the PyTorch state_dict as safetensors there, or name the file in the spec's \"weights\" field.");
        return ContainedPath.ResolveFile(folder, name, what);
    }

    /// <summary>Builds the layers of <paramref name="json"/>, named "0", "1", ... like nn.Sequential, and checks that the shapes chain.</summary>
    public static TorchSharp.Modules.Sequential Build(JsonObject json, ModelInfo info, string path)
    {
        if (json["layers"] is not JsonArray layers || layers.Count == 0)
            throw new GlassboxException($"'{path}' needs \"layers\": a non-empty list like [{{\"type\": \"conv2d\", ...}}, {{\"type\": \"relu\"}}].");
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        double parameters = 0;
        for (int i = 0; i < layers.Count; i++)
        {
            try
            {
                if (layers[i] is not JsonObject layer) throw new GlassboxException($"'{path}': layer {i} must be a JSON object with a \"type\".");
                parameters += ParameterCount(layer);
                CheckSize(parameters, $"'{path}': layers 0 to {i} have {parameters.ToString("0", CultureInfo.InvariantCulture)} parameters", "Check the layer sizes (\"in\", \"out\", \"kernel\", \"features\")");
                try
                {
                    modules.Add((i.ToString(CultureInfo.InvariantCulture), Layer(layer, i, path)));
                }
                catch (Exception e) when (e is not GlassboxException)
                {
                    throw new GlassboxException($"'{path}': layer {i} ({layer["type"]}) has invalid settings: {FirstLine(e.Message)}");
                }
            }
            catch
            {
                foreach (var (_, m) in modules) m.Dispose();
                throw;
            }
        }
        var seq = nn.Sequential(modules.ToArray());
        seq.eval();
        // Dry run: a shape mismatch names the layer.
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var x = torch.zeros(1, info.Channels, info.Height, info.Width);
        for (int i = 0; i < modules.Count; i++)
        {
            if (layers[i]!["type"]?.ToString().ToLowerInvariant() == "conv2d")
            {
                // An upper bound of the output size, checked before libtorch allocates it.
                double pad = layers[i]!["padding"] is JsonValue pv && pv.TryGetValue(out long p) ? p : 0;
                double outputs = (layers[i]!["out"] is JsonValue ov && ov.TryGetValue(out long o) ? o : 0) * (x.shape[2] + 2 * pad) * (x.shape[3] + 2 * pad);
                CheckSize(outputs, $"'{path}': layer {i} (conv2d) would produce up to {outputs.ToString("0", CultureInfo.InvariantCulture)} values per image", "Check its \"out\" and \"padding\" and the input size");
            }
            try
            {
                x = modules[i].Item2.forward(x);
            }
            catch (Exception e) when (e is not GlassboxException)
            {
                throw new GlassboxException($"'{path}': layer {i} ({layers[i]!["type"]}) cannot take an input of shape {string.Join("×", x.shape)}: {FirstLine(e.Message)}");
            }
        }
        if (x.dim() != 2 || x.shape[1] != info.Classes)
            throw new GlassboxException($"'{path}': the layers produce shape {string.Join("×", x.shape)} per batch, but the spec names {info.Classes} classes; the last layer must output N×{info.Classes}.");
        return seq;
    }

    /// <summary>Largest number of float32 parameters, or values of one layer's output per image, that a spec may describe.</summary>
    public const long MaxElements = 1L << 28;

    /// <summary>Parameters a layer would allocate, computed from its JSON before libtorch allocates anything.</summary>
    private static double ParameterCount(JsonObject l)
    {
        double N(string key) => l[key] is JsonValue v && v.TryGetValue(out double x) && x > 0 ? x : 0;
        bool bias = l["bias"] is not JsonValue b || !b.TryGetValue(out bool v) || v;
        return (l["type"] as JsonValue)?.ToString().ToLowerInvariant() switch
        {
            "conv2d" => N("out") * N("in") * N("kernel") * N("kernel") + (bias ? N("out") : 0),
            "linear" => N("out") * N("in") + (bias ? N("out") : 0),
            "batchnorm2d" => 4 * N("features"),
            _ => 0,
        };
    }

    /// <summary>Refuses <paramref name="elements"/> float32 values above <see cref="MaxElements"/> or above half the memory available.</summary>
    private static void CheckSize(double elements, string what, string fix)
    {
        double bytes = elements * sizeof(float);
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (elements > MaxElements)
            throw new GlassboxException($"{what} ({(bytes / (1 << 20)).ToString("0", CultureInfo.InvariantCulture)} MB), more than the {MaxElements} Glassbox accepts. {fix}.");
        if (available > 0 && bytes > available / 2.0)
            throw new GlassboxException($"{what} ({(bytes / (1 << 20)).ToString("0", CultureInfo.InvariantCulture)} MB), more than half of the {available / (1 << 20)} MB of memory available. {fix}, or run on a machine with more memory.");
    }

    private static nn.Module<Tensor, Tensor> Layer(JsonObject l, int i, string path)
    {
        string type = (l["type"] as JsonValue)?.ToString().ToLowerInvariant() ?? "";
        long Req(string key) => l[key] is JsonValue v && v.TryGetValue(out long x) && x > 0 ? x
            : throw new GlassboxException($"'{path}': layer {i} ({type}) needs \"{key}\": a positive integer.");
        long Opt(string key, long def) => l[key] is null ? def : l[key] is JsonValue v && v.TryGetValue(out long x) && x >= 0 ? x
            : throw new GlassboxException($"'{path}': layer {i} ({type}) \"{key}\" must be a non-negative integer.");
        double D(string key, double def) => l[key] is null ? def : l[key] is JsonValue v && v.TryGetValue(out double x) && double.IsFinite(x) ? x
            : throw new GlassboxException($"'{path}': layer {i} ({type}) \"{key}\" must be a number.");
        bool Bias() => l["bias"] is not JsonValue b || !b.TryGetValue(out bool v) || v;
        return type switch
        {
            "conv2d" => nn.Conv2d(Req("in"), Req("out"), Req("kernel"), stride: Math.Max(1, Opt("stride", 1)), padding: Opt("padding", 0), bias: Bias()),
            "linear" => nn.Linear(Req("in"), Req("out"), hasBias: Bias()),
            "relu" => nn.ReLU(),
            "leakyrelu" => nn.LeakyReLU(D("negative_slope", 0.01)),
            "elu" => nn.ELU(D("alpha", 1.0)),
            "sigmoid" => nn.Sigmoid(),
            "tanh" => nn.Tanh(),
            "softplus" => nn.Softplus(D("beta", 1.0), D("threshold", 20.0)),
            "softmax" => nn.Softmax(1),
            "maxpool2d" => nn.MaxPool2d(Req("kernel"), stride: l["stride"] is null ? null : Req("stride"), padding: Opt("padding", 0)),
            "avgpool2d" => nn.AvgPool2d(Req("kernel"), stride: l["stride"] is null ? null : Req("stride"), padding: Opt("padding", 0)),
            "batchnorm2d" => nn.BatchNorm2d(Req("features"), eps: D("eps", 1e-5), momentum: D("momentum", 0.1)),
            "dropout" => nn.Dropout(D("p", 0.5)),
            "flatten" => nn.Flatten(),
            _ => throw new GlassboxException($"'{path}': layer {i} has unknown type '{type}'. Supported: {string.Join(", ", LayerTypes)}."),
        };
    }

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();
}

using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Glassbox.IO;
using Glassbox.Models;
using Glassbox.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Checkpoints;

/// <summary>
/// A trained classifier on disk: a folder holding <c>model.safetensors</c> (weights under PyTorch
/// <c>nn.Sequential</c> state_dict keys) and <c>model.json</c> (architecture, classes, preprocessing, training
/// history, and the weights' SHA-256 so a mismatched pair is detected). The folder is written as one unit.
/// </summary>
public static class Checkpoint
{
    /// <summary>File name of the weights inside a checkpoint folder.</summary>
    public const string WeightsFile = "model.safetensors";
    /// <summary>File name of the description inside a checkpoint folder.</summary>
    public const string MetadataFile = "model.json";
    private const string Format = "glassbox-checkpoint";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>
    /// Saves <paramref name="model"/> (and its training history, if any) into <paramref name="folder"/> as one unit: both
    /// files are written and flushed in a temporary folder beside it, which then replaces the folder (see
    /// <see cref="AtomicFolder"/>), so a crash leaves the old checkpoint or the new one. The folder must be new, empty or
    /// hold only a checkpoint.
    /// </summary>
    public static void Save(string folder, ImageClassifier model, TrainingHistory? history = null)
        => Save(folder, model, history, afterStep: null);

    internal static void Save(string folder, ImageClassifier model, TrainingHistory? history, Action<AtomicFolderStep>? afterStep)
    {
        var tensors = new Dictionary<string, SafeTensor>();
        foreach (var (name, p) in model.Network.state_dict())
        {
            // Integer buffers (BatchNorm's num_batches_tracked) are stored as F32, as every tensor here.
            using var cpu = p.detach().cpu().to_type(ScalarType.Float32).contiguous();
            tensors[name] = new SafeTensor(cpu.shape, cpu.data<float>().ToArray());
        }
        using var ms = new MemoryStream();
        SafeTensors.Write(ms, tensors, new Dictionary<string, string> { ["format"] = "pt", ["glassbox.architecture"] = model.Info.Architecture });
        byte[] weights = ms.ToArray();
        var meta = new CheckpointMetadata(Format, 1, model.Info, history, Convert.ToHexStringLower(SHA256.HashData(weights)), DateTime.UtcNow);
        byte[] json = new System.Text.UTF8Encoding(false).GetBytes(JsonSerializer.Serialize(meta, Json));
        AtomicFolder.Write(folder, temp =>
        {
            WriteFlushed(Path.Combine(temp, WeightsFile), weights);
            WriteFlushed(Path.Combine(temp, MetadataFile), json);
        }, IsComplete, IsCheckpointEntry, afterStep);
    }

    /// <summary>
    /// Throws the <see cref="GlassboxException"/> that <see cref="Save(string, ImageClassifier, TrainingHistory?)"/>
    /// would throw for <paramref name="folder"/> itself (a file, the current folder, a folder holding other files), so a
    /// caller can refuse before training rather than after.
    /// </summary>
    public static void CheckCanSave(string folder) => AtomicFolder.CheckTarget(folder, IsCheckpointEntry);

    private static void WriteFlushed(string path, byte[] bytes)
    {
        using var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        fs.Write(bytes);
        fs.Flush(flushToDisk: true);
    }

    /// <summary>Names a checkpoint folder may hold: its two files and temporary files of earlier versions' saves.</summary>
    private static bool IsCheckpointEntry(string name)
        => name is WeightsFile or MetadataFile
        || (name.EndsWith(".tmp", StringComparison.Ordinal) && (name.StartsWith($".{WeightsFile}.", StringComparison.Ordinal) || name.StartsWith($".{MetadataFile}.", StringComparison.Ordinal)));

    /// <summary>True when <paramref name="folder"/> holds a description and the weights its hash names.</summary>
    private static bool IsComplete(string folder)
    {
        try
        {
            string jsonPath = Path.Combine(folder, MetadataFile), weightsPath = Path.Combine(folder, WeightsFile);
            if (!File.Exists(jsonPath) || !File.Exists(weightsPath)) return false;
            var meta = JsonSerializer.Deserialize<CheckpointMetadata>(File.ReadAllText(jsonPath), Json);
            if (meta?.Format != Format || meta.WeightsSha256 is null) return false;
            using var fs = File.OpenRead(weightsPath);
            return string.Equals(Convert.ToHexStringLower(SHA256.HashData(fs)), meta.WeightsSha256, StringComparison.OrdinalIgnoreCase);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Restores a checkpoint that a killed save left in its backup, and deletes dead saves' leftovers.</summary>
    internal static void Recover(string folder)
    {
        if (string.IsNullOrWhiteSpace(folder)) return;
        string target = Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)) == MetadataFile && !Directory.Exists(folder)
            ? Path.GetDirectoryName(Path.GetFullPath(folder)) ?? "."
            : folder;
        AtomicFolder.Recover(target, IsComplete);
    }

    /// <summary>Reads the description of the checkpoint in <paramref name="folder"/> (or its model.json path).</summary>
    public static CheckpointMetadata ReadMetadata(string folder)
    {
        Recover(folder);
        string path = ResolveFolder(folder);
        string jsonPath = Path.Combine(path, MetadataFile);
        if (!File.Exists(jsonPath))
            throw new GlassboxException($"'{folder}' is not a Glassbox checkpoint: {MetadataFile} is missing. Save one with Checkpoint.Save after training.");
        CheckpointMetadata? meta;
        if (new FileInfo(jsonPath).Length > Models.Sources.ModelDescription.MaxJsonBytes || !ContainedPath.IsRegularFile(ContainedPath.RealPath(Path.GetFullPath(jsonPath), jsonPath)))
            throw new GlassboxException($"'{jsonPath}' is not a checkpoint description: it is not a regular file of at most {Models.Sources.ModelDescription.MaxJsonBytes / (1024 * 1024)} MB. Save the checkpoint again.");
        byte[] jsonBytes = File.ReadAllBytes(jsonPath);
        try
        {
            if (StrictJson.FindDuplicate(jsonBytes, default) is { } duplicate)
                throw new GlassboxException($"'{jsonPath}' is not valid checkpoint JSON: {duplicate}. Keep one value per key.");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException) { throw new GlassboxException($"'{jsonPath}' is not valid checkpoint JSON: {e.Message}"); }
        try { meta = JsonSerializer.Deserialize<CheckpointMetadata>(jsonBytes, Json); }
        catch (JsonException e) { throw new GlassboxException($"'{jsonPath}' is not valid checkpoint JSON: {e.Message}"); }
        if (meta is null || meta.Format != Format || meta.Model is null)
            throw new GlassboxException($"'{jsonPath}' is not a Glassbox checkpoint description (format '{meta?.Format}').");
        meta.Model.Validate();
        return meta;
    }

    /// <summary>Loads the checkpoint in <paramref name="folder"/>; clear errors for missing, extra or mis-shaped weights.</summary>
    public static (ImageClassifier Model, CheckpointMetadata Metadata) Load(string folder, Device? device = null)
    {
        var meta = ReadMetadata(folder);
        string path = ResolveFolder(folder);
        string weightsPath = Path.Combine(path, WeightsFile);
        if (!File.Exists(weightsPath)) throw new GlassboxException($"Checkpoint '{folder}' has no {WeightsFile}.");
        if (!ContainedPath.IsRegularFile(ContainedPath.RealPath(Path.GetFullPath(weightsPath), $"Checkpoint '{folder}'")))
            throw new GlassboxException($"'{weightsPath}' is not a regular file (a folder, device or pipe). Save the checkpoint again with 'glassbox train'.");
        long length = new FileInfo(weightsPath).Length;
        if (length > Array.MaxLength)
            throw new GlassboxException($"'{weightsPath}' has {length} bytes, more than Glassbox reads into memory ({Array.MaxLength}).");
        byte[] weightBytes = File.ReadAllBytes(weightsPath);
        string sha = Convert.ToHexStringLower(SHA256.HashData(weightBytes));
        if (!string.Equals(sha, meta.WeightsSha256, StringComparison.OrdinalIgnoreCase))
            throw new GlassboxException($"'{weightsPath}' does not belong to '{MetadataFile}' (SHA-256 {sha}, expected {meta.WeightsSha256}): the checkpoint was modified or its files mixed up.");
        var model = new ImageClassifier(meta.Model, device);
        try
        {
            LoadWeights(model, SafeTensors.Read(weightBytes, weightsPath), weightsPath);
            model.SetTraining(false);
            ModelCapabilities.CheckLoadedOutputs(model, folder);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.SetTraining(false);
        return (model, meta);
    }

    /// <summary>Copies <paramref name="tensors"/> into the model's parameters, checking names and shapes.</summary>
    public static void LoadWeights(ImageClassifier model, IReadOnlyDictionary<string, SafeTensor> tensors, string source)
        => LoadStateDict(model.Network.state_dict(), tensors, source, $"architecture '{model.Info.Architecture}'");

    /// <summary>
    /// Copies <paramref name="tensors"/> into a module's <paramref name="state"/> (its state_dict), after checking every
    /// name, shape and value, so a bad file leaves the module untouched. <paramref name="what"/> names the model in errors.
    /// </summary>
    internal static void LoadStateDict(IDictionary<string, torch.Tensor> state, IReadOnlyDictionary<string, SafeTensor> tensors, string source, string what)
    {
        var missing = state.Keys.Where(k => !tensors.ContainsKey(k)).ToList();
        var extra = tensors.Keys.Where(k => !state.ContainsKey(k)).ToList();
        if (missing.Count > 0 || extra.Count > 0)
            throw new GlassboxException(
                $"'{source}' does not match {what}: " +
                (missing.Count > 0 ? $"missing {string.Join(", ", missing)}" : "") +
                (missing.Count > 0 && extra.Count > 0 ? "; " : "") +
                (extra.Count > 0 ? $"unexpected {string.Join(", ", extra)}" : "") + ".");
        foreach (var (name, p) in state)
        {
            var t = tensors[name];
            if (!t.Shape.SequenceEqual(p.shape))
                throw new GlassboxException($"'{source}': tensor '{name}' has shape [{string.Join(", ", t.Shape)}] but {what} needs [{string.Join(", ", p.shape)}].");
            if (t.Data.Any(v => !float.IsFinite(v)))
                throw new GlassboxException($"'{source}': tensor '{name}' contains NaN or infinite values.");
        }
        // Everything checked: copy (a failure above leaves the model untouched).
        using var noGrad = torch.no_grad();
        foreach (var (name, p) in state)
        {
            var t = tensors[name];
            using var src = torch.tensor(t.Data, t.Shape);
            p.copy_(src);
        }
    }

    private static string ResolveFolder(string folderOrJson)
    {
        if (File.Exists(folderOrJson) && Path.GetFileName(folderOrJson) == MetadataFile)
            return Path.GetDirectoryName(Path.GetFullPath(folderOrJson)) ?? ".";
        if (!Directory.Exists(folderOrJson))
            throw new GlassboxException($"Checkpoint folder '{folderOrJson}' does not exist.");
        return folderOrJson;
    }
}

/// <summary>The JSON half of a checkpoint.</summary>
/// <param name="Format">Always "glassbox-checkpoint".</param>
/// <param name="Version">Format version.</param>
/// <param name="Model">Architecture, input shape, classes and normalisation.</param>
/// <param name="Training">History of the training run that produced the weights, if any.</param>
/// <param name="WeightsSha256">SHA-256 of model.safetensors.</param>
/// <param name="CreatedUtc">When the checkpoint was written.</param>
public sealed record CheckpointMetadata(string Format, int Version, ModelInfo Model, TrainingHistory? Training, string WeightsSha256, DateTime CreatedUtc);

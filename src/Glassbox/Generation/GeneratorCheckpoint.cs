using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Glassbox.Checkpoints;
using Glassbox.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Generation;

/// <summary>
/// A trained generator on disk, laid out like a classifier <see cref="Checkpoint"/>: a folder holding
/// <c>model.safetensors</c> (weights under PyTorch state_dict keys, e.g. <c>encoder.0.weight</c>) and
/// <c>model.json</c> (kind, latent size, classes, image shape, options, training history and the weights' SHA-256),
/// written as one unit with <see cref="AtomicFolder"/>.
/// </summary>
public static class GeneratorCheckpoint
{
    private const string Format = "glassbox-generator";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Saves <paramref name="model"/> (and its history, if any) into <paramref name="folder"/> as one unit.</summary>
    public static void Save(string folder, IGenerativeModel model, GeneratorHistory? history = null)
        => Save(folder, model, history, new Dictionary<string, byte[]>());

    /// <summary>
    /// Saves <paramref name="model"/> with <paramref name="figures"/> (PNG file name → bytes: loss curves, samples) into
    /// <paramref name="folder"/> as one unit, so a run's checkpoint and its pictures are replaced together.
    /// </summary>
    public static void Save(string folder, IGenerativeModel model, GeneratorHistory? history, IReadOnlyDictionary<string, byte[]> figures)
    {
        ArgumentNullException.ThrowIfNull(figures);
        foreach (string name in figures.Keys)
            if (!IsFigure(name) || Path.GetFileName(name) != name)
                throw new GlassboxException($"'{name}' cannot be saved beside a generator checkpoint: only plain .png file names are.");
        var tensors = new Dictionary<string, SafeTensor>();
        foreach (var (name, p) in model.Module.state_dict())
        {
            // Integer buffers (BatchNorm's num_batches_tracked) are stored as F32, as in classifier checkpoints.
            using var cpu = p.detach().cpu().to_type(ScalarType.Float32).contiguous();
            tensors[name] = new SafeTensor(cpu.shape, cpu.data<float>().ToArray());
        }
        using var ms = new MemoryStream();
        SafeTensors.Write(ms, tensors, new Dictionary<string, string> { ["format"] = "pt", ["glassbox.generator"] = model.Kind });
        byte[] weights = ms.ToArray();
        var meta = new GeneratorCheckpointMetadata(Format, 1, model.Kind, model.LatentSize, model.Classes,
            model.Channels, model.Height, model.Width, (model as Vae)?.Options, (model as Dcgan)?.Options, history,
            Convert.ToHexStringLower(SHA256.HashData(weights)), DateTime.UtcNow);
        byte[] json = new System.Text.UTF8Encoding(false).GetBytes(JsonSerializer.Serialize(meta, Json));
        AtomicFolder.Write(folder, temp =>
        {
            WriteFlushed(Path.Combine(temp, Checkpoint.WeightsFile), weights);
            WriteFlushed(Path.Combine(temp, Checkpoint.MetadataFile), json);
            foreach (var (name, bytes) in figures) WriteFlushed(Path.Combine(temp, name), bytes);
        }, IsComplete, IsOwnEntry);
    }

    /// <summary>Reads the description of the generator checkpoint in <paramref name="folder"/>.</summary>
    public static GeneratorCheckpointMetadata ReadMetadata(string folder)
    {
        if (!Directory.Exists(folder)) throw new GlassboxException($"Generator checkpoint folder '{folder}' does not exist.");
        AtomicFolder.Recover(folder, IsComplete);
        string jsonPath = Path.Combine(folder, Checkpoint.MetadataFile);
        if (!File.Exists(jsonPath))
            throw new GlassboxException($"'{folder}' is not a generator checkpoint: {Checkpoint.MetadataFile} is missing. Save one with GeneratorCheckpoint.Save after training.");
        if (new FileInfo(jsonPath).Length > Models.Sources.ModelDescription.MaxJsonBytes)
            throw new GlassboxException($"'{jsonPath}' is larger than {Models.Sources.ModelDescription.MaxJsonBytes / (1024 * 1024)} MB; it is not a generator checkpoint description.");
        byte[] bytes = File.ReadAllBytes(jsonPath);
        GeneratorCheckpointMetadata? meta;
        try
        {
            if (StrictJson.FindDuplicate(bytes, default) is { } duplicate)
                throw new GlassboxException($"'{jsonPath}' is not valid checkpoint JSON: {duplicate}. Keep one value per key.");
            meta = JsonSerializer.Deserialize<GeneratorCheckpointMetadata>(bytes, Json);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
        {
            throw new GlassboxException($"'{jsonPath}' is not valid generator checkpoint JSON: {e.Message}");
        }
        if (meta is null || meta.Format != Format)
            throw new GlassboxException($"'{jsonPath}' is not a Glassbox generator checkpoint (format '{meta?.Format}'); classifier checkpoints load with Checkpoint.Load.");
        bool consistent = meta.Kind switch
        {
            "vae" => meta.Vae is { } v && v.LatentSize == meta.LatentSize && v.Classes == meta.Classes && v.Channels == meta.Channels && v.Height == meta.Height && v.Width == meta.Width,
            "dcgan" => meta.Dcgan is { } d && d.LatentSize == meta.LatentSize && d.Classes == meta.Classes && d.Channels == meta.Channels && d.Height == meta.Height && d.Width == meta.Width,
            _ => false,
        };
        if (!consistent)
            throw new GlassboxException($"'{jsonPath}' describes a '{meta.Kind}' whose options do not match its kind, latent size ({meta.LatentSize}), classes ({meta.Classes}) or image shape; save the checkpoint again.");
        return meta;
    }

    /// <summary>Loads the generator in <paramref name="folder"/> onto <paramref name="device"/> (see <see cref="Load(string)"/>).</summary>
    public static (IGenerativeModel Model, GeneratorCheckpointMetadata Metadata) Load(string folder, Device device)
    {
        var (model, meta) = Load(folder);
        if (device.type != DeviceType.CPU) model.Module.to(device);
        return (model, meta);
    }

    /// <summary>Loads the generator in <paramref name="folder"/>, refusing weights that do not match its description.</summary>
    public static (IGenerativeModel Model, GeneratorCheckpointMetadata Metadata) Load(string folder)
    {
        var meta = ReadMetadata(folder);
        string weightsPath = Path.Combine(folder, Checkpoint.WeightsFile);
        if (!File.Exists(weightsPath)) throw new GlassboxException($"Generator checkpoint '{folder}' has no {Checkpoint.WeightsFile}.");
        byte[] bytes = File.ReadAllBytes(weightsPath);
        string sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (!string.Equals(sha, meta.WeightsSha256, StringComparison.OrdinalIgnoreCase))
            throw new GlassboxException($"'{weightsPath}' does not belong to '{Checkpoint.MetadataFile}' (SHA-256 {sha}, expected {meta.WeightsSha256}): the checkpoint was modified or its files mixed up.");
        IGenerativeModel model = meta.Kind == "vae" ? new Vae(meta.Vae) : new Dcgan(meta.Dcgan);
        try
        {
            LoadWeights(model, SafeTensors.Read(bytes, weightsPath), weightsPath);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.SetTraining(false);
        return (model, meta);
    }

    /// <summary>Copies <paramref name="tensors"/> into <paramref name="model"/>, checking names, shapes and values first.</summary>
    public static void LoadWeights(IGenerativeModel model, IReadOnlyDictionary<string, SafeTensor> tensors, string source)
        => Checkpoint.LoadStateDict(model.Module.state_dict(), tensors, source,
            $"this {model.Kind} (latent size {model.LatentSize}, {model.Classes} classes, {model.Channels}×{model.Height}×{model.Width} images)");

    private static void WriteFlushed(string path, byte[] bytes)
    {
        using var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        fs.Write(bytes);
        fs.Flush(flushToDisk: true);
    }

    private static bool IsOwnEntry(string name) => name is Checkpoint.WeightsFile or Checkpoint.MetadataFile || IsFigure(name);

    private static bool IsFigure(string name) => name.EndsWith(".png", StringComparison.Ordinal) && !name.StartsWith('.');

    private static bool IsComplete(string folder)
    {
        try
        {
            string jsonPath = Path.Combine(folder, Checkpoint.MetadataFile), weightsPath = Path.Combine(folder, Checkpoint.WeightsFile);
            if (!File.Exists(jsonPath) || !File.Exists(weightsPath)) return false;
            var meta = JsonSerializer.Deserialize<GeneratorCheckpointMetadata>(File.ReadAllText(jsonPath), Json);
            if (meta?.Format != Format || meta.WeightsSha256 is null) return false;
            using var fs = File.OpenRead(weightsPath);
            return string.Equals(Convert.ToHexStringLower(SHA256.HashData(fs)), meta.WeightsSha256, StringComparison.OrdinalIgnoreCase);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            return false;
        }
    }
}

/// <summary>The JSON half of a generator checkpoint.</summary>
/// <param name="Format">Always "glassbox-generator".</param>
/// <param name="Version">Format version.</param>
/// <param name="Kind">"vae" or "dcgan".</param>
/// <param name="LatentSize">Dimensions of the latent.</param>
/// <param name="Classes">Classes conditioned on (0 when unconditional).</param>
/// <param name="Channels">Image channels.</param>
/// <param name="Height">Image height.</param>
/// <param name="Width">Image width.</param>
/// <param name="Vae">The VAE's options (null for a DCGAN).</param>
/// <param name="Dcgan">The DCGAN's options (null for a VAE).</param>
/// <param name="Training">History of the run that produced the weights, if any.</param>
/// <param name="WeightsSha256">SHA-256 of model.safetensors.</param>
/// <param name="CreatedUtc">When the checkpoint was written.</param>
public sealed record GeneratorCheckpointMetadata(string Format, int Version, string Kind, int LatentSize, int Classes,
    int Channels, int Height, int Width, VaeOptions? Vae, DcganOptions? Dcgan, GeneratorHistory? Training,
    string WeightsSha256, DateTime CreatedUtc);

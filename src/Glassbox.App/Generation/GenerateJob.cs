using Glassbox.Generation;
using Glassbox.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.App.Generation;

/// <summary>Settings of <see cref="GenerateJob"/>.</summary>
/// <param name="Checkpoint">Generator checkpoint folder written by train-generator.</param>
/// <param name="Out">Output folder.</param>
/// <param name="Count">Images to draw.</param>
/// <param name="Class">Class to draw (conditional models); null draws classes 0, 1, …, K−1 in turn.</param>
/// <param name="Seed">Seeds the latents.</param>
/// <param name="Input">VAE only: an .npy of images (N×C×H×W or N×H×W in [0, 1]) to reconstruct.</param>
/// <param name="Device">cpu, cuda, cuda:N or auto: where the generator runs (latents are drawn on the CPU either way).</param>
public sealed record GenerateOptions(string Checkpoint, string Out, int Count = 64, int? Class = null, int Seed = 0, string? Input = null, string Device = "cpu")
{
    /// <summary>Most images drawn in one run.</summary>
    public const int MaxCount = 10_000;

    /// <summary>Throws a <see cref="GlassboxException"/> naming the first invalid setting (before anything is loaded).</summary>
    public void Validate()
    {
        OutputLayout.CheckFolderName(Out);
        if (Count is < 1 or > MaxCount) throw new GlassboxException($"-n must be between 1 and {MaxCount}, not {Count}.");
        if (Class is < 0) throw new GlassboxException($"--class must be 0 or more, not {Class}.");
    }
}

/// <summary>What <see cref="GenerateJob"/> wrote.</summary>
public sealed record GenerateResult(string Kind, int Count, IReadOnlyList<string> Files);

/// <summary>Draws images from a trained generator (and, for a VAE, reconstructs given images).</summary>
public static class GenerateJob
{
    /// <summary>Sample grid file.</summary>
    public const string SamplesPng = "samples.png";
    /// <summary>Samples as N×C×H×W float32.</summary>
    public const string SamplesNpy = "samples.npy";
    /// <summary>Latents as N×L float32.</summary>
    public const string LatentsNpy = "latents.npy";
    /// <summary>Originals above reconstructions.</summary>
    public const string ReconstructionsPng = "reconstructions.png";
    /// <summary>Reconstructions as N×C×H×W float32.</summary>
    public const string ReconstructionsNpy = "reconstructions.npy";
    private const int Columns = 8;

    /// <summary>Runs the job.</summary>
    public static GenerateResult Run(GenerateOptions options)
    {
        options.Validate();
        if (!Directory.Exists(options.Checkpoint))
            throw new GlassboxException($"Generator checkpoint folder '{options.Checkpoint}' does not exist; pass the --out folder of train-generator.");
        var device = Glassbox.Engine.TorchContext.ResolveDevice(options.Device);
        var (model, meta) = GeneratorCheckpoint.Load(options.Checkpoint, device);
        using var _ = model;
        if (options.Class is int c)
        {
            if (model.Classes == 0)
                throw new GlassboxException($"--class {c} was given but the {meta.Kind} in '{options.Checkpoint}' is unconditional; drop --class.");
            if (c >= model.Classes)
                throw new GlassboxException($"--class {c} is out of range: the model knows classes 0–{model.Classes - 1}.");
        }
        if (options.Input is not null && model is not Vae)
            throw new GlassboxException($"--input reconstructs images with a VAE; the model in '{options.Checkpoint}' is a {meta.Kind}.");
        float[]? input = null;
        int[]? inputShape = null;
        if (options.Input is string inputPath)
            (input, inputShape) = ReadInput(inputPath, model, options.Class);

        Directory.CreateDirectory(options.Out);
        var files = new List<string>();
        using (var scope = NewDisposeScope())
        {
            var (images, latents) = Draw(model, options.Count, options.Seed, options.Class);
            files.Add(TensorNpy.Write(Path.Combine(options.Out, SamplesNpy), images));
            files.Add(TensorNpy.Write(Path.Combine(options.Out, LatentsNpy), latents));
            string png = Path.Combine(options.Out, SamplesPng);
            AtomicFile.WriteAllBytes(png, SampleGrid.ToPng(images, Columns));
            files.Add(png);

            if (input is not null && model is Vae vae)
            {
                var x = torch.tensor(input, inputShape!.Select(d => (long)d).ToArray()).to(device);
                Tensor? labels = options.Class is int k ? torch.full(inputShape![0], k, ScalarType.Int64, device: device) : null;
                var recon = vae.Reconstruct(x, labels);
                files.Add(TensorNpy.Write(Path.Combine(options.Out, ReconstructionsNpy), recon));
                string rpng = Path.Combine(options.Out, ReconstructionsPng);
                AtomicFile.WriteAllBytes(rpng, SampleGrid.ToPng(Interleave(x, recon), (int)Math.Min(Columns, x.shape[0])));
                files.Add(rpng);
            }
        }
        return new GenerateResult(meta.Kind, options.Count, files);
    }

    /// <summary>Images and latents; with a conditional model and no class, image i is of class i mod K.</summary>
    private static (Tensor Images, Tensor Latents) Draw(IGenerativeModel model, int count, int seed, int? label)
    {
        if (model.Classes == 0 || label is not null)
        {
            var s = model.Generate(count, seed, label);
            return (s.Images, s.Latents);
        }
        using var noGrad = torch.no_grad();
        using var g = new torch.Generator((ulong)(uint)seed);
        var device = model.Module.parameters().First().device;
        var z = torch.randn([count, model.LatentSize], generator: g).to(device);
        var labels = torch.arange(count, ScalarType.Int64).remainder(model.Classes).to(device);
        model.SetTraining(false);
        return (model.Decode(z, labels), z);
    }

    /// <summary>Rows of up to <see cref="Columns"/> originals, each followed by the row of their reconstructions.</summary>
    private static Tensor Interleave(Tensor originals, Tensor reconstructions)
    {
        long n = originals.shape[0];
        var parts = new List<Tensor>();
        for (long i = 0; i < n; i += Columns)
        {
            long len = Math.Min(Columns, n - i);
            var o = originals.narrow(0, i, len);
            var r = reconstructions.narrow(0, i, len);
            if (len < Columns && n > Columns)
            {
                // Pad a short last row so each reconstruction stays under its original.
                var pad = torch.zeros([Columns - len, o.shape[1], o.shape[2], o.shape[3]], device: o.device);
                o = torch.cat([o, pad], 0);
                r = torch.cat([r, pad], 0);
            }
            parts.Add(o);
            parts.Add(r);
        }
        return torch.cat(parts, 0);
    }

    private static (float[] Pixels, int[] Shape) ReadInput(string path, IGenerativeModel model, int? label)
    {
        if (!File.Exists(path)) throw new GlassboxException($"--input '{path}' does not exist; pass an .npy of images.");
        float[] data = NpyFile.ReadFloat32(path, out int[] shape);
        if (shape.Length == 3) shape = [shape[0], 1, shape[1], shape[2]];
        if (shape.Length != 4 || shape[1] != model.Channels || shape[2] != model.Height || shape[3] != model.Width || shape[0] < 1)
            throw new GlassboxException($"--input '{path}' has shape [{string.Join(", ", shape)}]; the model takes N×{model.Channels}×{model.Height}×{model.Width} images.");
        if (shape[0] > GenerateOptions.MaxCount)
            throw new GlassboxException($"--input '{path}' holds {shape[0]} images; reconstruct at most {GenerateOptions.MaxCount} at once.");
        foreach (float v in data)
            if (!(v >= 0 && v <= 1)) throw new GlassboxException($"--input '{path}' has a pixel {v} outside [0, 1]; scale the images to [0, 1].");
        if (model.Classes > 0 && label is null)
            throw new GlassboxException("A conditional VAE needs --class to reconstruct --input images.");
        return (data, shape);
    }
}

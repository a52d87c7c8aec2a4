using Glassbox.Checkpoints;
using Glassbox.Data;
using Glassbox.Generation;
using Glassbox.IO;
using TorchSharp;

namespace Glassbox.App.Generation;

/// <summary>Settings of <see cref="TrainGeneratorJob"/>.</summary>
/// <param name="Kind">One of <see cref="GeneratorKinds.All"/>.</param>
/// <param name="Out">Folder for the checkpoint (model.safetensors + model.json), loss_curves.png and samples.png.</param>
/// <param name="Epochs">Passes over the data.</param>
/// <param name="BatchSize">Images per step (reference: 128).</param>
/// <param name="Latent">Latent size; null for the model default (16 VAE, 64 DCGAN).</param>
/// <param name="Beta">VAE KL weight; null for 1 (vae, cvae) or 4 (beta-vae).</param>
/// <param name="Seed">Seeds the weights, shuffling, training noise and the samples.</param>
/// <param name="LearningRate">Adam step size; null for the reference value (1e-3 VAE, 2e-4 DCGAN).</param>
/// <param name="Beta1">Adam β1; null for the reference value (0.9 VAE, 0.5 DCGAN).</param>
/// <param name="Device">cpu, cuda, cuda:N or auto: where the model is trained.</param>
public sealed record TrainGeneratorOptions(string Kind, string Out, int Epochs = 10, int BatchSize = 128, int? Latent = null,
    double? Beta = null, int Seed = 0, double? LearningRate = null, double? Beta1 = null, string Device = "cpu")
{
    /// <summary>Throws a <see cref="GlassboxException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        GeneratorKinds.Check(Kind);
        OutputLayout.CheckFolderName(Out);
        Training.Validate();
        if (Latent is < 1) throw new GlassboxException($"--latent must be at least 1, not {Latent}.");
    }

    /// <summary>The trainer's settings.</summary>
    public GeneratorTrainingOptions Training => new(Epochs, BatchSize, LearningRate, Seed, Beta1: Beta1);
}

/// <summary>What <see cref="TrainGeneratorJob"/> produced.</summary>
public sealed record TrainGeneratorResult(string CheckpointFolder, GeneratorHistory History, IReadOnlyList<string> Files);

/// <summary>Trains a generator, saves its checkpoint and draws its loss curves and a sample grid.</summary>
public static class TrainGeneratorJob
{
    /// <summary>Name of the loss chart.</summary>
    public const string LossCurvesFile = "loss_curves.png";
    /// <summary>Name of the VAE KL-per-dimension chart.</summary>
    public const string KlFile = "kl_per_dimension.png";
    /// <summary>Name of the sample grid.</summary>
    public const string SamplesFile = "samples.png";
    /// <summary>Samples per row of the grid.</summary>
    public const int GridColumns = 8;

    /// <summary>Runs the job on <paramref name="data"/>, reporting per-batch progress to <paramref name="observer"/>.</summary>
    public static TrainGeneratorResult Run(TrainGeneratorOptions options, ImageDataset data, IRunObserver observer, CancellationToken cancel = default)
    {
        options.Validate();
        using var model = GeneratorKinds.Create(options.Kind, data.Channels, data.Height, data.Width, data.ClassNames,
            options.Latent, options.Beta, options.Seed, Glassbox.Engine.TorchContext.ResolveDevice(options.Device));
        var training = options.Training;
        int batches = (data.Count + options.BatchSize - 1) / options.BatchSize;
        observer.StageStarted("Training", (double)options.Epochs * batches);
        var history = new GeneratorTrainer(training).Train(model, data, new SyncProgress<GeneratorProgress>(p =>
            observer.StageProgress("Training", (p.Epoch - 1) * batches + p.Batch,
                $"epoch {p.Epoch}/{p.Epochs} " + string.Join(" ", p.Losses.Select(l => $"{l.Key} {l.Value:F3}")))), cancel);
        observer.StageFinished("Training", $"{history.Epochs.Count} epochs");

        // Checkpoint and pictures are written as one unit: a rerun into the same folder replaces them together.
        var figures = new Dictionary<string, byte[]> { [LossCurvesFile] = GeneratorFigures.LossCurvesPng(options.Kind, history) };
        if (model is Vae) figures[KlFile] = GeneratorFigures.KlPerDimensionPng(history);
        using (var samples = SampleRows(model, options.Seed)) figures[SamplesFile] = SampleGrid.ToPng(samples, GridColumns);
        GeneratorCheckpoint.Save(options.Out, model, history, figures);
        var files = new List<string> { Path.Combine(options.Out, Checkpoint.WeightsFile), Path.Combine(options.Out, Checkpoint.MetadataFile) };
        files.AddRange(figures.Keys.Select(f => Path.Combine(options.Out, f)));
        return new TrainGeneratorResult(options.Out, history, files);
    }

    /// <summary>64 prior samples, or one row of <see cref="GridColumns"/> per class when conditional.</summary>
    internal static torch.Tensor SampleRows(IGenerativeModel model, int seed)
    {
        if (model.Classes == 0)
        {
            using var s = model.Generate(GridColumns * GridColumns, seed);
            return s.Images.clone();
        }
        var rows = new List<torch.Tensor>();
        try
        {
            for (int c = 0; c < model.Classes; c++)
            {
                using var s = model.Generate(GridColumns, seed, c);
                rows.Add(s.Images.clone());
            }
            return torch.cat(rows, 0);
        }
        finally { foreach (var r in rows) r.Dispose(); }
    }
}

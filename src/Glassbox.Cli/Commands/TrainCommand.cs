using System.ComponentModel;
using Glassbox.Checkpoints;
using Glassbox.Data;
using Glassbox.Engine;
using Glassbox.Models;
using Glassbox.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Glassbox.Cli.Commands;

internal sealed class TrainCommand : Command<TrainCommand.Settings>
{
    public sealed class Settings : CommonSettings
    {
        [CommandOption("--data <FOLDER>"), Description("MNIST-format folder. Default: the shipped sample")]
        public string? Data { get; init; }

        [CommandOption("-o|--out <FOLDER>"), Description("Checkpoint folder to write. Default: model")]
        public string Out { get; init; } = "model";

        [CommandOption("--arch <NAME>"), Description("reference-cnn (default), pooled-cnn or resnet-small (ResNet-8 with batch norm)")]
        public string Arch { get; init; } = Architecture.ReferenceCnn;

        [CommandOption("--epochs <N>"), Description("Default: 2")]
        public int Epochs { get; init; } = 2;

        [CommandOption("--batch-size <N>"), Description("Default: 64")]
        public int BatchSize { get; init; } = 64;

        [CommandOption("--lr <RATE>"), Description("Adam learning rate. Default: 0.001")]
        public double LearningRate { get; init; } = 1e-3;

        [CommandOption("--normalize"), Description("Standardise inputs with the training set's per-channel mean/std (recorded in the checkpoint)")]
        public bool Normalize { get; init; }

        [CommandOption("--early-stop <EPOCHS>"), Description("Stop when the test loss has not improved for this many epochs")]
        public int? EarlyStop { get; init; }

        [CommandOption("--max-train <N>"), Description("Use only the first N training images (quick runs)")]
        public int? MaxTrain { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        // Check the options before loading data: a batch size of 0 would otherwise divide by zero below.
        Glassbox.App.OutputLayout.CheckFolderName(s.Out);
        Glassbox.App.RunLimits.CheckThreads(s.Threads);
        var options = new TrainingOptions(s.Epochs, s.BatchSize, s.LearningRate, s.Seed, EarlyStopPatience: s.EarlyStop);
        options.Validate();
        if (s.MaxTrain is < 1) throw new GlassboxException($"--max-train must be at least 1, not {s.MaxTrain}.");
        var ctx = TorchContext.Create(s.Device, s.Threads, s.Seed);
        string data = s.Data ?? Paths.ShippedSample();
        var train = MnistFormat.LoadFolder(data, "train");
        var test = MnistFormat.LoadFolder(data, "test");
        if (s.MaxTrain is int max) train = train.Take(max);
        var norm = s.Normalize ? Normalization.Compute(train) : null;
        var info = new ModelInfo(s.Arch, train.Channels, train.Height, train.Width, train.ClassNames, norm?.Mean, norm?.Std);
        using var model = new ImageClassifier(info, ctx.Device);
        var history = ConsoleObserver.Run(obs =>
        {
            int batches = (train.Count + s.BatchSize - 1) / s.BatchSize;
            obs.StageStarted("Training", (double)s.Epochs * batches);
            var h = new Trainer(options).Train(model, train, test, new Progress(obs, batches), cancellationToken);
            obs.StageFinished("Training", $"{h.Epochs.Count} epochs");
            return h;
        });
        var table = new Table().AddColumns("Epoch", "Train loss", "Train acc", "Test loss", "Test acc", "Images/s");
        foreach (var e in history.Epochs)
            table.AddRow($"{e.Epoch}", $"{e.TrainLoss:F4}", $"{e.TrainAccuracy:P2}", $"{e.HeldOutLoss:F4}", $"{e.HeldOutAccuracy:P2}", $"{e.SamplesPerSecond:F0}");
        AnsiConsole.Write(table);
        Checkpoint.Save(s.Out, model, history);
        AnsiConsole.MarkupLine($"Checkpoint written to [bold]{Markup.Escape(Path.GetFullPath(s.Out))}[/] ({Checkpoint.WeightsFile} + {Checkpoint.MetadataFile})");
        return 0;
    }

    private sealed class Progress(Glassbox.App.IRunObserver obs, int batches) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress p) => obs.StageProgress("Training", (p.Epoch - 1) * batches + p.Batch,
            $"epoch {p.Epoch}/{p.Epochs} loss {p.Loss:F3} acc {p.Accuracy:P1} {p.SamplesPerSecond:F0} img/s");
    }
}

namespace Glassbox.Training;

/// <summary>Settings for <see cref="Trainer"/>; defaults follow the reference workflow (Adam, lr 1e-3, cross-entropy).</summary>
/// <param name="Epochs">Passes over the training set.</param>
/// <param name="BatchSize">Images per optimisation step.</param>
/// <param name="LearningRate">Adam's learning rate.</param>
/// <param name="Seed">Seeds the shuffling order (weights are initialised from libtorch's generator, seeded by TorchContext.Create).</param>
/// <param name="Shuffle">Shuffle the training set every epoch.</param>
/// <param name="EarlyStopPatience">Stop when the held-out loss has not improved for this many epochs; null never stops early.</param>
public sealed record TrainingOptions(
    int Epochs = 2,
    int BatchSize = 64,
    double LearningRate = 1e-3,
    int Seed = 0,
    bool Shuffle = true,
    int? EarlyStopPatience = null)
{
    /// <summary>Throws a <see cref="GlassboxException"/> for values that cannot work.</summary>
    public void Validate()
    {
        if (Epochs < 1) throw new GlassboxException($"Epochs must be at least 1, not {Epochs}.");
        if (BatchSize < 1) throw new GlassboxException($"Batch size must be at least 1, not {BatchSize}.");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new GlassboxException($"Learning rate must be positive, not {LearningRate}.");
        if (EarlyStopPatience is < 1) throw new GlassboxException("Early-stop patience must be at least 1 epoch.");
    }
}

/// <summary>Loss and accuracy after one epoch.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainLoss">Mean cross-entropy over the epoch's batches.</param>
/// <param name="TrainAccuracy">Fraction of training images classified correctly during the epoch.</param>
/// <param name="HeldOutLoss">Mean cross-entropy on the held-out set (NaN without one).</param>
/// <param name="HeldOutAccuracy">Accuracy on the held-out set (NaN without one).</param>
/// <param name="Seconds">Wall time of the epoch's training steps.</param>
/// <param name="SamplesPerSecond">Training throughput.</param>
public sealed record EpochMetrics(int Epoch, double TrainLoss, double TrainAccuracy, double HeldOutLoss, double HeldOutAccuracy, double Seconds, double SamplesPerSecond);

/// <summary>A training step's progress, for progress bars.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Total epochs.</param>
/// <param name="Batch">1-based batch within the epoch.</param>
/// <param name="Batches">Batches per epoch.</param>
/// <param name="Loss">Running mean loss this epoch.</param>
/// <param name="Accuracy">Running accuracy this epoch.</param>
/// <param name="SamplesPerSecond">Running throughput this epoch.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Batch, int Batches, double Loss, double Accuracy, double SamplesPerSecond);

/// <summary>The outcome of training.</summary>
/// <param name="Epochs">Metrics per completed epoch.</param>
/// <param name="StoppedEarly">True when early stopping ended training.</param>
/// <param name="Options">The settings used.</param>
public sealed record TrainingHistory(IReadOnlyList<EpochMetrics> Epochs, bool StoppedEarly, TrainingOptions Options);

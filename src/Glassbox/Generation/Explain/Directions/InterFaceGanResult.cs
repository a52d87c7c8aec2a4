namespace Glassbox.Generation.Explain.Directions;

/// <summary>The boundary <see cref="InterFaceGan"/> fitted: w·z + b = 0, with its unit normal as the direction.</summary>
/// <param name="Direction">The unit normal w/‖w‖ (pointing towards the positive, high-score side); score: held-out accuracy.</param>
/// <param name="Weights">w as fitted (before normalising).</param>
/// <param name="Bias">b.</param>
/// <param name="TrainAccuracy">Share of the fitting codes on the right side.</param>
/// <param name="HeldOutAccuracy">Share of the held-out codes on the right side.</param>
/// <param name="TrainCount">Codes fitted on.</param>
/// <param name="HeldOutCount">Codes held out.</param>
/// <param name="Iterations">Newton steps taken.</param>
public sealed record InterFaceGanResult(LatentDirections Direction, double[] Weights, double Bias, double TrainAccuracy, double HeldOutAccuracy,
    int TrainCount, int HeldOutCount, int Iterations);

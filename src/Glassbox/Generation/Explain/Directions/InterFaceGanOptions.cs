namespace Glassbox.Generation.Explain.Directions;

/// <summary>
/// Settings of <see cref="InterFaceGan"/>. The paper labels 500 000 samples, keeps the top and bottom 2 % by
/// attribute score, fits a linear SVM on 70 % of them and validates on the rest; with a few thousand samples we keep
/// a larger share at each end.
/// </summary>
/// <param name="Ratio">Share of the codes kept at each end of the score ranking (top = positive, bottom = negative).</param>
/// <param name="TrainShare">Share of the kept codes the boundary is fitted on (the rest measure its accuracy); the paper's split ratio 0.7.</param>
/// <param name="C">Inverse L2 regularisation strength of the logistic regression (scikit-learn's default 1).</param>
/// <param name="MaxIterations">Newton steps at most.</param>
/// <param name="Tolerance">Stop when the Newton step's largest entry is below this.</param>
/// <param name="Seed">Seeds the train/held-out shuffle.</param>
public sealed record InterFaceGanOptions(double Ratio = 0.2, double TrainShare = 0.7, double C = 1.0, int MaxIterations = 100,
    double Tolerance = 1e-10, int Seed = 0)
{
    /// <summary>Throws a <see cref="GlassboxException"/> for an invalid setting.</summary>
    public void Validate()
    {
        if (!(Ratio > 0 && Ratio <= 0.5)) throw new GlassboxException($"The InterFaceGAN ratio must be in (0, 0.5], not {Ratio}.");
        if (!(TrainShare > 0 && TrainShare < 1)) throw new GlassboxException($"The InterFaceGAN train share must be in (0, 1), not {TrainShare}.");
        if (!(C > 0) || !double.IsFinite(C)) throw new GlassboxException($"The InterFaceGAN C must be a positive number, not {C}.");
        if (MaxIterations < 1) throw new GlassboxException($"InterFaceGAN needs at least 1 Newton step, not {MaxIterations}.");
        if (!(Tolerance > 0)) throw new GlassboxException($"The InterFaceGAN tolerance must be positive, not {Tolerance}.");
    }
}

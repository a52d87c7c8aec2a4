namespace Glassbox.Visualization;

/// <summary>One input and one class's attributions for <see cref="ForcePlot"/>.</summary>
/// <param name="Image">C×H×W display values in [0,1].</param>
/// <param name="Attributions">C×H×W attributions; their sum should be ≈ OutputValue − BaseValue.</param>
/// <param name="C">Channels: 1 or 3.</param>
/// <param name="H">Height.</param>
/// <param name="W">Width.</param>
/// <param name="BaseValue">Expected model output over the background (the explanation's starting point).</param>
/// <param name="OutputValue">The model output f(x) for this input and class.</param>
/// <param name="ClassName">Name of the explained class.</param>
/// <param name="OutputName">What the output is, e.g. "logit" or "probability".</param>
public sealed record ForcePlotData(
    float[] Image, float[] Attributions, int C, int H, int W,
    double BaseValue, double OutputValue, string ClassName, string OutputName = "logit")
{
    /// <summary>Throws a <see cref="GlassboxException"/> naming the first inconsistency.</summary>
    public void Validate()
    {
        ImageShape.Check(Image.LongLength, C, H, W, "force plot image");
        ImageShape.Check(Attributions.LongLength, C, H, W, "force plot attributions");
        if (!double.IsFinite(BaseValue) || !double.IsFinite(OutputValue))
            throw new GlassboxException($"Base value {BaseValue} and output {OutputValue} must be finite numbers.");
        foreach (float a in Attributions)
            if (!float.IsFinite(a))
                throw new GlassboxException("The attributions contain NaN or infinity; recompute them before plotting.");
    }
}

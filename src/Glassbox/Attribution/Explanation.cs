namespace Glassbox.Attribution;

/// <summary>
/// Attributions for N inputs and K targets each: values N×K×C×H×W (C order), with what was explained and the
/// method's own check. For Shapley-style methods <c>Σ values[n,k] ≈ Outputs[n,k] − BaseValues[n,k]</c>.
/// </summary>
/// <param name="Method">Method name (e.g. "DeepShap").</param>
/// <param name="Settings">The options record the method ran with.</param>
/// <param name="Values">Attributions, N×K×C×H×W.</param>
/// <param name="Shape">[N, K, C, H, W].</param>
/// <param name="Targets">Class explained at [n,k], N×K.</param>
/// <param name="Output">Logits or probabilities.</param>
/// <param name="Outputs">Model output f(x) for each [n,k].</param>
/// <param name="BaseValues">Expected value / baseline output for each [n,k].</param>
/// <param name="AdditivityErrors">|f(x) − base − Σφ| for each [n,k], or null where the method promises no additivity.</param>
/// <param name="AdditivityTolerance">The bound each error is checked against: tolerance · max(1, |f(x)|).</param>
/// <param name="AdditivityGuaranteed">True when the method promises completeness (DeepLIFT, Shapley sampling, ...), so
/// an error above the tolerance is a failure; false for estimators (IG with few steps, GradientSHAP) whose error is
/// reported as a convergence measure only.</param>
public sealed record Explanation(
    string Method, object Settings, float[] Values, int[] Shape, int[] Targets, OutputSpace Output,
    double[] Outputs, double[] BaseValues, double[]? AdditivityErrors, double AdditivityTolerance, bool AdditivityGuaranteed = true)
{
    /// <summary>The explained inputs, N×C×H×W (C order), so plots need nothing else (as SHAP's <c>Explanation.data</c>); null when not attached.</summary>
    public float[]? Inputs { get; init; }

    /// <summary>The model's class names, indexed by class (as SHAP's <c>output_names</c>); null when not attached.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>The name of class <paramref name="index"/>: its entry in <see cref="ClassNames"/>, or the index itself.</summary>
    public string ClassName(int index) => ClassNames is { } names && index >= 0 && index < names.Count ? names[index] : index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Number of inputs (N).</summary>
    public int Count => Shape[0];
    /// <summary>Targets per input (K).</summary>
    public int TargetsPerInput => Shape[1];
    /// <summary>Values per attribution map (C·H·W).</summary>
    public int MapSize => Shape[2] * Shape[3] * Shape[4];

    /// <summary>The attribution map for input <paramref name="n"/> and target slot <paramref name="k"/>.</summary>
    public ReadOnlySpan<float> Map(int n, int k) => Values.AsSpan((n * TargetsPerInput + k) * MapSize, MapSize);

    /// <summary>Largest additivity error, or NaN when the method has none.</summary>
    public double MaxAdditivityError => AdditivityErrors is { Length: > 0 } e ? e.Max() : double.NaN;

    /// <summary>Signed convergence delta Σφ − (f(x) − base) at [n·K+k] (Captum's <c>delta</c>).</summary>
    public double Delta(int index)
    {
        double sum = 0;
        foreach (float v in Values.AsSpan(index * MapSize, MapSize)) sum += v;
        return sum - (Outputs[index] - BaseValues[index]);
    }

    /// <summary>Indices [n·K+k] whose additivity error exceeds tolerance·max(1,|f(x)|); empty when additivity is not guaranteed.</summary>
    public IReadOnlyList<int> AdditivityFailures()
    {
        if (AdditivityErrors is null || !AdditivityGuaranteed) return [];
        var failures = new List<int>();
        for (int i = 0; i < AdditivityErrors.Length; i++)
            if (!(AdditivityErrors[i] <= AdditivityTolerance * Math.Max(1, Math.Abs(Outputs[i])))) failures.Add(i);
        return failures;
    }
}

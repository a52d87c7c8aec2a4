using Glassbox.Attribution;
using Glassbox.Attribution.Gradient;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Generation.Explain.Attribution;

/// <summary>Latent attributions of N codes and the completeness of the path methods.</summary>
/// <param name="Explanation">The method's explanation over N×1×1×L "images" (values N×K×1×1×L: one value per latent dimension).</param>
/// <param name="Codes">The codes explained, N×L row-major.</param>
/// <param name="Baseline">The baseline code of integrated gradients (null for the other methods).</param>
/// <param name="Completeness">Per [n·K+k]: |Σ_j φ_j − (f(G(z)) − f(G(z₀)))| / max(|f(G(z)) − f(G(z₀))|, 1e-6) for methods with a
/// completeness property (integrated gradients; GradientSHAP in expectation); null for the others.</param>
/// <param name="Steps">Integrated gradients: the steps each code was explained with (more than NSteps where the tolerance asked for refinement); null for the other methods.</param>
public sealed record LatentAttributionResult(Explanation Explanation, float[] Codes, float[]? Baseline, double[]? Completeness, int[]? Steps = null)
{
    /// <summary>The largest relative completeness error, or NaN when the method has none.</summary>
    public double MaxCompleteness => Completeness is { Length: > 0 } c ? c.Max() : double.NaN;
}

/// <summary>
/// Why the classifier calls a generated image class c, in the generator's own coordinates: a gradient method of the
/// suite run on f∘G over the latent code (<see cref="LatentClassifier"/>). Integrated gradients (Sundararajan et al.
/// 2017) from a baseline code z₀ (the zero code by default) is complete: Σ_j φ_j = f(G(z)) − f(G(z₀)) up to the
/// quadrature error, which is measured and returned per code.
/// </summary>
public static class LatentAttribution
{
    /// <summary>Smallest |f(G(z)) − f(G(z₀))| a relative completeness error divides by.</summary>
    public const double CompletenessFloor = 1e-6;

    /// <summary>Attributes the class scores of <paramref name="targets"/> to the dimensions of <paramref name="codes"/> (N×L).</summary>
    public static LatentAttributionResult Explain(LatentClassifier model, Tensor codes, TargetSelection targets, LatentAttributionOptions? options = null,
        IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
    {
        options ??= new LatentAttributionOptions();
        int l = model.Generator.LatentSize;
        options.Validate(l);
        if (codes.dim() != 2 || codes.shape[1] != l)
            throw new GlassboxException($"Latent codes of shape [{string.Join(", ", codes.shape)}] do not fit the {model.Generator.Kind}: it expects N×{l}.");
        using var finite = codes.isfinite().all();
        if (!finite.item<bool>()) throw new GlassboxException("The latent codes contain NaN or infinite values.");
        using var scope = torch.NewDisposeScope();
        var inputs = LatentClassifier.AsInputs(codes.detach().to_type(ScalarType.Float32)).to(model.Device);
        var (method, baseline) = Create(model, options);
        var e = method.Attribute(inputs, targets, progress, cancel);
        double[]? completeness = e.AdditivityErrors is null ? null : Enumerable.Range(0, e.Outputs.Length).Select(i => Relative(e, i)).ToArray();
        int[]? stepsUsed = options.Method == "integrated-gradients" ? Enumerable.Repeat(options.NSteps, (int)codes.shape[0]).ToArray() : null;
        if (options.Tolerance is double tol && stepsUsed is not null && completeness is not null)
            e = Refine(model, inputs, targets, options, e, completeness, stepsUsed, tol, cancel);
        using var flat = codes.detach().cpu().to_type(ScalarType.Float32).contiguous();
        return new LatentAttributionResult(e, flat.data<float>().ToArray(), baseline, completeness, stepsUsed);
    }

    private static double Relative(Explanation e, int i) => Math.Abs(e.Delta(i)) / Math.Max(Math.Abs(e.Outputs[i] - e.BaseValues[i]), CompletenessFloor);

    /// <summary>Explains the codes whose relative error exceeds <paramref name="tol"/> again with doubled steps, in place of their rows.</summary>
    private static Explanation Refine(LatentClassifier model, Tensor inputs, TargetSelection targets, LatentAttributionOptions o, Explanation e,
        double[] completeness, int[] stepsUsed, double tol, CancellationToken cancel)
    {
        int n = e.Count, k = e.TargetsPerInput, size = e.MapSize;
        if (k != 1) throw new GlassboxException("Refining integrated gradients to a completeness tolerance needs one target class per code.");
        var values = (float[])e.Values.Clone();
        var errors = e.AdditivityErrors is null ? null : (double[])e.AdditivityErrors.Clone();
        for (int steps = o.NSteps * 2; steps <= o.MaxSteps; steps *= 2)
        {
            var redo = Enumerable.Range(0, n).Where(i => completeness[i] > tol).ToArray();
            if (redo.Length == 0) break;
            cancel.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            var subset = inputs.index_select(0, torch.tensor(redo.Select(i => (long)i).ToArray(), device: inputs.device));
            var subTargets = TargetSelection.PerInput(redo.Select(i => e.Targets[i]).ToArray());
            var (method, _) = Create(model, o with { NSteps = steps });
            var r = method.Attribute(subset, subTargets, null, cancel);
            for (int a = 0; a < redo.Length; a++)
            {
                int i = redo[a];
                Array.Copy(r.Values, a * size, values, i * size, size);
                completeness[i] = Relative(r, a);
                if (errors is not null && r.AdditivityErrors is not null) errors[i] = r.AdditivityErrors[a];
                stepsUsed[i] = steps;
            }
        }
        return e with { Values = values, AdditivityErrors = errors };
    }

    private static (IAttributionMethod Method, float[]? Baseline) Create(LatentClassifier model, LatentAttributionOptions o)
    {
        int l = model.Generator.LatentSize;
        switch (o.Method)
        {
            case "integrated-gradients":
                float[] b = o.Baseline ?? new float[l];
                var image = torch.tensor(b, [1, 1, 1, l], device: model.Device);
                return (new IntegratedGradients(model, new IntegratedGradientsOptions(NSteps: o.NSteps, Baselines: Glassbox.Attribution.Baseline.FromImages(image))), b);
            case "saliency":
                return (new Saliency(model), null);
            case "input-x-gradient":
                return (new InputXGradient(model), null);
            case "gradient-shap":
                using (var g = new torch.Generator((ulong)(uint)o.Seed))
                {
                    var prior = torch.randn([o.BaselineCodes, 1, 1, l], generator: g).to(model.Device);
                    return (new GradientShap(model, Glassbox.Attribution.Baseline.FromImages(prior),
                        new GradientShapOptions(NSamples: o.NSamples, Stdevs: o.Stdevs ?? 0.0, Seed: o.Seed)), null);
                }
            case "smoothgrad":
                return (new NoiseTunnel(new Saliency(model, new SaliencyOptions(Abs: false)),
                    new NoiseTunnelOptions(NoiseTunnelType.SmoothGrad, o.NSamples, o.Stdevs ?? 1.0, Seed: o.Seed)), null);
            default:
                throw new GlassboxException($"'{o.Method}' does not run in latent space; use one of: {string.Join(", ", LatentAttributionOptions.Methods)}.");
        }
    }
}

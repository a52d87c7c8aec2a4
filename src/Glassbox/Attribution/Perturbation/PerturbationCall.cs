using Glassbox.Attribution.Common;
using Glassbox.Attribution.FeatureMasks;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Perturbation;

/// <summary>
/// The start every perturbation and Shapley method shares (Captum keeps it in <c>_utils</c>): the inputs checked and
/// prepared, the targets resolved into an <see cref="ExplanationBuilder"/>, the <see cref="PerturbationRunner"/>, and
/// on request the feature masks, the baselines, f(x) and f(baseline). Created inside the method's dispose scope.
/// </summary>
internal sealed class PerturbationCall
{
    private double[]? _f0;

    private PerturbationCall(IImageModel model, Tensor x, ExplanationBuilder builder, PerturbationRunner runner)
    {
        Model = model;
        X = x;
        Builder = builder;
        Runner = runner;
        N = builder.N; C = builder.C; H = builder.H; W = builder.W;
        D = C * H * W;
    }

    /// <summary>
    /// Checks <paramref name="inputs"/> (shape, non-empty, finite), resolves <paramref name="targets"/> and builds the
    /// runner; <paramref name="settings"/> is the options record the explanation records.
    /// </summary>
    public static PerturbationCall Start(IImageModel model, string method, object settings, Tensor inputs, TargetSelection targets,
        OutputSpace output, int perturbationsPerEval)
    {
        InputChecks.Images(model, inputs);
        var x = inputs.detach().to_type(ScalarType.Float32).to(model.Device).contiguous();
        var builder = new ExplanationBuilder(method, settings, x.shape, targets, model.Info.Classes);
        var runner = new PerturbationRunner(model, output, perturbationsPerEval);
        return new PerturbationCall(model, x, builder, runner);
    }

    /// <summary>The model.</summary>
    public IImageModel Model { get; }
    /// <summary>The inputs: N×C×H×W, float32, contiguous on the model's device.</summary>
    public Tensor X { get; }
    /// <summary>Collects the attributions; its targets are [n·K + k].</summary>
    public ExplanationBuilder Builder { get; }
    /// <summary>Evaluates perturbed images.</summary>
    public PerturbationRunner Runner { get; }
    /// <summary>Inputs.</summary>
    public int N { get; }
    /// <summary>Targets per input.</summary>
    public int K => Builder.K;
    /// <summary>Channels.</summary>
    public int C { get; }
    /// <summary>Height.</summary>
    public int H { get; }
    /// <summary>Width.</summary>
    public int W { get; }
    /// <summary>Elements per input (C·H·W).</summary>
    public int D { get; }
    /// <summary>Number of classes of the model.</summary>
    public int Classes => Runner.Classes;
    /// <summary>The inputs flattened to N×D.</summary>
    public Tensor XFlat => X.reshape(N, D);
    /// <summary>f(x): the model's outputs for the inputs, row-major N×classes (computed once).</summary>
    public double[] F0 => _f0 ??= Runner.Outputs(X);

    /// <summary>The class explained by input <paramref name="i"/> in slot <paramref name="slot"/>.</summary>
    public int Target(int i, int slot) => Builder.Targets[i * K + slot];

    /// <summary>The feature mask of every input (one mask object reused when the source is shared) and each feature's elements.</summary>
    public (FeatureMask[] Masks, int[][][] Members) Features(MaskSource source)
    {
        var masks = new FeatureMask[N];
        FeatureMask Checked(FeatureMask m) => m.Channels == C && m.Height == H && m.Width == W ? m
            : throw new GlassboxException($"The feature mask is {m.Channels}×{m.Height}×{m.Width} but the inputs are {C}×{H}×{W}; give a mask of the input's shape.");
        if (source.IsShared)
        {
            using var first = X[0];
            Array.Fill(masks, Checked(source.ForInput(first)));
        }
        else
            for (int i = 0; i < N; i++)
            {
                using var img = X[i];
                masks[i] = Checked(source.ForInput(img));
            }
        return (masks, FeatureMembers.Of(masks));
    }

    /// <summary>One baseline per input (Captum's <c>baselines</c>), checked for finiteness, float32 on the inputs' device.</summary>
    public Tensor PerInputBaselines(Baseline baseline)
    {
        var b = baseline.PerInput(X).to_type(ScalarType.Float32).to(X.device).contiguous();
        InputChecks.Finite(b, "baseline images");
        return b;
    }

    /// <summary>
    /// SHAP's background: the baseline images as a distribution (B×C×H×W, shared by all inputs), or one reference per
    /// input when the baseline depends on the input (blur); checked for emptiness and finiteness.
    /// </summary>
    public (Tensor Background, bool PerInput) Background(Baseline baseline)
    {
        Tensor background;
        bool perInput = false;
        try
        {
            background = baseline.Distribution(X);
        }
        catch (GlassboxException)
        {
            background = baseline.PerInput(X);
            perInput = true;
        }
        background = background.to_type(ScalarType.Float32).to(X.device).contiguous();
        if (background.shape[0] < 1) throw new GlassboxException("The baseline set is empty; give at least one image.");
        InputChecks.Finite(background, "baseline images");
        return (background, perInput);
    }

    /// <summary>Stores N×K×D <paramref name="values"/>, picks f(x) and f(baseline) of each target and builds the explanation.</summary>
    /// <param name="values">Attributions, row-major [n, k, element].</param>
    /// <param name="fBaseline">f(baseline), row-major N×classes.</param>
    /// <param name="completeness">Whether the method promises Σφ = f(x) − f(baseline) (checked with <paramref name="tolerance"/>).</param>
    /// <param name="tolerance">Relative tolerance of the completeness check.</param>
    public Explanation Finish(float[] values, double[] fBaseline, bool completeness, double tolerance = 1e-4)
    {
        var f0 = F0;
        Builder.SetAll(values);
        var outputs = new double[N * K];
        var baseValues = new double[N * K];
        for (int i = 0; i < N; i++)
            for (int slot = 0; slot < K; slot++)
            {
                int cls = Target(i, slot);
                outputs[i * K + slot] = f0[i * Classes + cls];
                baseValues[i * K + slot] = fBaseline[i * Classes + cls];
            }
        return Builder.Build(Runner.Output, outputs, baseValues, completeness, tolerance, guaranteed: completeness);
    }

    /// <summary>The default Shapley-method features for images: a grid of about 8×8 patches of ⌈max(H, W)/8⌉ pixels (4 px, 7×7 = 49 patches on 28×28).</summary>
    public static MaskSource DefaultShapleyMask(ModelInfo info) => MaskSource.Grid(Math.Max(1, (Math.Max(info.Height, info.Width) + 7) / 8));
}

/// <summary>The element indices of every feature of each input's mask (computed once per distinct mask).</summary>
internal static class FeatureMembers
{
    /// <summary>members[i][j] = flat C×H×W indices of feature j of input i.</summary>
    public static int[][][] Of(FeatureMask[] masks)
    {
        var cache = new Dictionary<FeatureMask, int[][]>(ReferenceEqualityComparer.Instance);
        var result = new int[masks.Length][][];
        for (int i = 0; i < masks.Length; i++)
        {
            if (!cache.TryGetValue(masks[i], out var m))
            {
                var lists = new List<int>[masks[i].Count];
                for (int j = 0; j < lists.Length; j++) lists[j] = [];
                var ids = masks[i].Ids;
                for (int e = 0; e < ids.Length; e++) lists[ids[e]].Add(e);
                m = lists.Select(l => l.ToArray()).ToArray();
                cache[masks[i]] = m;
            }
            result[i] = m;
        }
        return result;
    }
}

using Glassbox.Attribution.Common;
using Glassbox.Attribution.FeatureMasks;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Perturbation;

/// <summary>
/// The forward-only engine shared by the perturbation and Shapley-sampling methods: it builds perturbed copies of the
/// inputs chunk by chunk and evaluates them under <c>no_grad</c> with <see cref="IImageModel.Forward"/> alone, so every
/// method built on it works on black-box (ONNX) models.
/// <para>Batching follows Captum's <c>perturbations_per_eval</c>: one forward pass evaluates up to
/// <c>perturbations_per_eval</c> perturbations of each of the N inputs together (N·perturbations_per_eval images), capped
/// at <see cref="MaxImagesPerForward"/> images (fewer for large images) unless <c>perturbations_per_eval</c> alone is
/// larger. Batching never changes the results.</para>
/// </summary>
public sealed class PerturbationRunner
{
    /// <summary>Upper bound on images per forward pass when batching across inputs (bounds memory).</summary>
    public const int MaxImagesPerForward = 512;

    private readonly IImageModel _model;

    /// <summary>A runner for <paramref name="model"/> explaining <paramref name="output"/>.</summary>
    public PerturbationRunner(IImageModel model, OutputSpace output, int perturbationsPerEval)
    {
        if (perturbationsPerEval < 1)
            throw new GlassboxException($"perturbations_per_eval (--perturbations-per-eval) must be at least 1, not {perturbationsPerEval}.");
        _model = model;
        Output = output;
        PerturbationsPerEval = perturbationsPerEval;
    }

    /// <summary>Logits or probabilities.</summary>
    public OutputSpace Output { get; }

    /// <summary>Captum's <c>perturbations_per_eval</c>.</summary>
    public int PerturbationsPerEval { get; }

    /// <summary>Number of classes of the model.</summary>
    public int Classes => _model.Info.Classes;

    /// <summary>
    /// Images per forward pass when <paramref name="inputs"/> inputs are explained together: ppe · inputs, capped at
    /// <see cref="MaxImagesPerForward"/> images and at 2^24 pixel values (64 MB of float32 per chunk), but never below ppe.
    /// </summary>
    public int ImagesPerForward(int inputs)
    {
        long size = (long)_model.Info.Channels * _model.Info.Height * _model.Info.Width;
        long cap = Math.Clamp((1L << 24) / Math.Max(1, size), 1, MaxImagesPerForward);
        return (int)Math.Max(PerturbationsPerEval, Math.Min((long)PerturbationsPerEval * Math.Max(1, inputs), cap));
    }

    /// <summary>Model outputs (after softmax for probabilities) for M×C×H×W images, as a row-major M×classes array.</summary>
    public double[] Outputs(Tensor images)
    {
        long m = images.shape[0];
        var result = new double[m * Classes];
        int batch = ImagesPerForward((int)Math.Min(m, int.MaxValue));
        for (long start = 0; start < m; start += batch)
        {
            int count = (int)Math.Min(batch, m - start);
            using var scope = torch.NewDisposeScope();
            Forward(images.narrow(0, start, count)).CopyTo(result, start * Classes);
        }
        return result;
    }

    /// <summary>
    /// Evaluates <paramref name="total"/> perturbed images in batches of <paramref name="imagesPerForward"/>:
    /// <paramref name="build"/>(start, count) returns count×C×H×W images, <paramref name="consume"/>(start, count, outputs)
    /// receives their count×classes outputs. Reports progress in images and honours cancellation between forwards.
    /// </summary>
    public void Run(long total, int imagesPerForward, Func<long, int, Tensor> build, Action<long, int, double[]> consume,
        IProgress<(int Done, int Total)>? progress, CancellationToken cancel)
    {
        int reportTotal = (int)Math.Min(total, int.MaxValue);
        for (long start = 0; start < total; start += imagesPerForward)
        {
            cancel.ThrowIfCancellationRequested();
            int count = (int)Math.Min(imagesPerForward, total - start);
            double[] outputs;
            using (var scope = torch.NewDisposeScope())
                outputs = Forward(build(start, count));
            consume(start, count, outputs);
            progress?.Report(((int)Math.Min(start + count, int.MaxValue), reportTotal));
        }
    }

    private double[] Forward(Tensor images)
    {
        using var noGrad = torch.no_grad();
        var logits = _model.Forward(images.to(_model.Device));
        var o = Output == OutputSpace.Probabilities ? nn.functional.softmax(logits, 1) : logits;
        if (o.dim() != 2 || o.shape[0] != images.shape[0] || o.shape[1] != Classes)
            throw new GlassboxException($"The model returned outputs of shape {string.Join("×", o.shape)} for {images.shape[0]} images; expected {images.shape[0]}×{Classes}.");
        using var cpu = o.detach().to_type(ScalarType.Float64).cpu().contiguous();
        return cpu.data<double>().ToArray();
    }

    /// <summary>
    /// Builds count perturbed images <c>b[bIdx] + keep ⊙ (x[xIdx] − b[bIdx])</c> from flattened N×D inputs and B×D
    /// baselines, with <paramref name="keep"/> a count×D array of 1 (take the input) and 0 (take the baseline).
    /// </summary>
    public static Tensor Compose(Tensor inputsFlat, Tensor baselinesFlat, long[] xIdx, long[] bIdx, float[] keep, long[] imageShape)
    {
        int count = xIdx.Length;
        long d = inputsFlat.shape[1];
        var xi = inputsFlat.index_select(0, torch.tensor(xIdx, device: inputsFlat.device));
        var bi = baselinesFlat.index_select(0, torch.tensor(bIdx, device: baselinesFlat.device));
        var k = torch.tensor(keep, [count, d], dtype: inputsFlat.dtype, device: inputsFlat.device);
        return (bi + k * (xi - bi)).reshape([count, .. imageShape]);
    }

    /// <summary>The row of <paramref name="outputs"/> (classes wide) at <paramref name="row"/>, class <paramref name="cls"/>.</summary>
    public double At(double[] outputs, int row, int cls) => outputs[row * Classes + cls];

    /// <summary>Throws a <see cref="GlassboxException"/> when <paramref name="t"/> holds NaN or infinite values.</summary>
    public static void CheckFinite(Tensor t, string what)
    {
        using var bad = t.isfinite().logical_not().any();
        if (bad.item<bool>())
            throw new GlassboxException($"The {what} contain NaN or infinite values; clean them before explaining.");
    }

    /// <summary>Checks the inputs (shape, finiteness) and returns them detached, float32, contiguous on the model's device.</summary>
    public static Tensor PrepareInputs(IImageModel model, Tensor inputs)
    {
        ModelCapabilities.CheckInput(model, inputs);
        if (inputs.shape[0] < 1) throw new GlassboxException("No input images were given.");
        CheckFinite(inputs, "input images");
        return inputs.detach().to_type(ScalarType.Float32).to(model.Device).contiguous();
    }

    /// <summary>One baseline per input (Captum's <c>baselines</c>), checked for finiteness, float32 on the inputs' device.</summary>
    public static Tensor PerInputBaselines(Baseline baseline, Tensor inputs)
    {
        var b = baseline.PerInput(inputs).to_type(ScalarType.Float32).to(inputs.device).contiguous();
        CheckFinite(b, "baseline images");
        return b;
    }

    /// <summary>The feature mask of every input (one mask object reused when the source is shared).</summary>
    public static FeatureMask[] Masks(MaskSource source, Tensor inputs)
    {
        int n = (int)inputs.shape[0];
        var masks = new FeatureMask[n];
        int c = (int)inputs.shape[1], h = (int)inputs.shape[2], w = (int)inputs.shape[3];
        FeatureMask Checked(FeatureMask m) => m.Channels == c && m.Height == h && m.Width == w ? m
            : throw new GlassboxException($"The feature mask is {m.Channels}×{m.Height}×{m.Width} but the inputs are {c}×{h}×{w}; give a mask of the input's shape.");
        if (source.IsShared)
        {
            using var first = inputs[0];
            var m = Checked(source.ForInput(first));
            Array.Fill(masks, m);
            return masks;
        }
        for (int i = 0; i < n; i++)
        {
            using var img = inputs[i];
            masks[i] = Checked(source.ForInput(img));
        }
        return masks;
    }

    /// <summary>The default Shapley-method features for images: a grid of about 8×8 patches of ⌈max(H, W)/8⌉ pixels (4 px, 7×7 = 49 patches on 28×28).</summary>
    public static MaskSource DefaultShapleyMask(ModelInfo info) => MaskSource.Grid(Math.Max(1, (Math.Max(info.Height, info.Width) + 7) / 8));

    /// <summary>Stores N×K×D <paramref name="values"/>, picks f(x) and f(baseline) of each target and builds the explanation.</summary>
    internal static Explanation Finish(ExplanationBuilder builder, OutputSpace output, float[] values, double[] f0, double[] fb, int classes,
        bool completeness, double tolerance = 1e-4)
    {
        int n = builder.N, k = builder.K, d = builder.C * builder.H * builder.W;
        builder.SetAll(values);
        var outputs = new double[n * k];
        var baseValues = new double[n * k];
        for (int i = 0; i < n; i++)
            for (int slot = 0; slot < k; slot++)
            {
                int cls = builder.Targets[i * k + slot];
                outputs[i * k + slot] = f0[i * classes + cls];
                baseValues[i * k + slot] = fb[i * classes + cls];
            }
        return builder.Build(output, outputs, baseValues, completeness, tolerance, guaranteed: completeness);
    }
}

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
            throw new GlassboxException($"perturbations_per_eval must be at least 1, not {perturbationsPerEval}.");
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
        // lerp with a tensor weight: exactly bᵢ where keep is 0 and xᵢ where it is 1, and no implicit Scalar (libtorch's
        // "toFloat" check failed intermittently on the Scalar alpha of Tensor + Tensor at this line in long benchmark runs).
        return torch.lerp(bi, xi, k).reshape([count, .. imageShape]);
    }

    /// <summary>The row of <paramref name="outputs"/> (classes wide) at <paramref name="row"/>, class <paramref name="cls"/>.</summary>
    public double At(double[] outputs, int row, int cls) => outputs[row * Classes + cls];
}

using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Generation.Explain.Directions;

/// <summary>
/// Edit specificity of a latent direction d: codes z are moved to z + αd for α on a symmetric grid, decoded and
/// classified. A specific direction raises the target class probability while the other classes stay put:
/// specificity = ΔT / (ΔT + mean_{c≠t}|Δp_c|) at the α that raises p_target most (ΔT = that rise). Because the
/// probabilities sum to 1, a pure transfer of mass to the target still moves the others by ΔT/(K−1) on average, so
/// the ceiling is (K−1)/K; a direction that reshuffles the other classes scores lower, one that does not raise the
/// target scores 0. The same edits give the variance of the images (and of the first layer's activations) along d,
/// the "explained variance" compared with random directions. Measured the way InterFaceGAN (Shen et al. 2020) and
/// GANSpace (Härkönen et al. 2020) judge edits qualitatively, made a number.
/// </summary>
public static class EditSpecificity
{
    /// <summary>
    /// Moves <paramref name="codes"/> (N×L) along unit <paramref name="direction"/>, decodes them with
    /// <paramref name="decode"/> (codes → images) and classifies them with <paramref name="probabilities"/>
    /// (images → N×K probabilities); <paramref name="layer"/>, when given, adds the activation variance.
    /// </summary>
    public static EditSpecificityResult Measure(Func<Tensor, Tensor> decode, Func<Tensor, Tensor> probabilities, Tensor codes, double[] direction,
        int target, EditSpecificityOptions? options = null, FirstLayer? layer = null)
    {
        options ??= new EditSpecificityOptions();
        options.Validate();
        if (codes.dim() != 2 || codes.shape[0] < 1 || codes.shape[1] != direction.Length)
            throw new GlassboxException($"Edit specificity needs N×{direction.Length} codes for a direction of length {direction.Length}, not [{string.Join(", ", codes.shape)}].");
        var unit = DirectionMath.Unit(direction, "edited", fixSign: false);
        double[] alphas = options.Alphas();
        int n = (int)codes.shape[0], steps = alphas.Length, mid = steps / 2;

        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var z = codes.detach().cpu().to_type(ScalarType.Float32);
        var d = torch.tensor(unit.Select(v => (float)v).ToArray(), ScalarType.Float32);
        // Row (s, i) = z_i + α_s·d, step-major.
        var edited = torch.cat(alphas.Select(a => z + (float)a * d).ToArray(), 0);
        var probs = new List<Tensor>();
        var pixels = new List<Tensor>();
        for (long start = 0; start < edited.shape[0]; start += options.BatchSize)
        {
            var batch = edited.narrow(0, start, Math.Min(options.BatchSize, edited.shape[0] - start));
            var images = decode(batch).detach().cpu().to_type(ScalarType.Float32);
            probs.Add(probabilities(images).detach().cpu().to_type(ScalarType.Float64));
            pixels.Add(images.reshape(images.shape[0], -1));
        }
        var p = torch.cat(probs, 0);
        if (p.dim() != 2 || p.shape[0] != edited.shape[0]) throw new GlassboxException("The classifier returned probabilities of the wrong shape for the edited images.");
        if (!p.isfinite().all().item<bool>()) throw new GlassboxException("The classifier returned NaN or infinite probabilities for the edited images.");
        int classes = (int)p.shape[1];
        if (target < 0 || target >= classes) throw new GlassboxException($"Class {target} is not one of the classifier's classes 0–{classes - 1}.");
        if (classes < 2) throw new GlassboxException("Edit specificity needs a classifier with at least 2 classes.");

        var grid = p.reshape(steps, n, classes);
        var delta = grid - grid[mid].unsqueeze(0);                   // steps × n × K
        var meanDelta = delta.mean([1]);                              // steps × K
        var meanAbs = delta.abs().mean([1]);                          // steps × K
        var md = Rows(meanDelta);
        var ma = Rows(meanAbs);

        double[] targetChange = md.Select(r => r[target]).ToArray();
        double[] othersChange = ma.Select(r => OthersMean(r, target)).ToArray();
        var (bestStep, gain, others, spec) = Best(md, ma, target, mid);

        int bestClass = 0, bestClassStep = 0;
        double bestClassGain = double.NegativeInfinity;
        for (int c = 0; c < classes; c++)
            for (int s = 0; s < steps; s++)
                if (s != mid && md[s][c] > bestClassGain) { bestClassGain = md[s][c]; bestClass = c; bestClassStep = s; }
        var (_, classGain, _, classSpec) = Best(md, ma, bestClass, mid);

        var pix = torch.cat(pixels, 0).to_type(ScalarType.Float64).reshape(steps, n, -1);
        double imageVariance = pix.var(0, unbiased: false).mean().item<double>();
        double? activationVariance = null;
        if (layer is not null)
        {
            var act = layer.Activations(edited).reshape(steps, n, -1);
            activationVariance = act.var(0, unbiased: false).sum([1]).mean().item<double>();
        }
        return new EditSpecificityResult(target, alphas, targetChange, othersChange, alphas[bestStep], gain, others, spec,
            bestClass, classGain, classSpec, imageVariance, activationVariance);
    }

    private static (int Step, double Gain, double Others, double Specificity) Best(double[][] meanDelta, double[][] meanAbs, int c, int mid)
    {
        int best = mid == 0 ? 1 : 0;
        for (int s = 0; s < meanDelta.Length; s++)
            if (s != mid && meanDelta[s][c] > meanDelta[best][c]) best = s;
        double gain = Math.Max(0, meanDelta[best][c]), others = OthersMean(meanAbs[best], c);
        return (best, gain, others, gain > 0 ? gain / (gain + others) : 0);
    }

    private static double OthersMean(double[] row, int c)
    {
        double s = 0;
        for (int k = 0; k < row.Length; k++) if (k != c) s += row[k];
        return s / (row.Length - 1);
    }

    private static double[][] Rows(Tensor m) => DirectionMath.Rows(m);
}

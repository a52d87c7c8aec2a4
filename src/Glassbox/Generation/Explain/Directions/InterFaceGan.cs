using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Generation.Explain.Directions;

/// <summary>
/// InterFaceGAN (Shen et al., CVPR 2020): a linear boundary in latent space separating codes whose images have an
/// attribute from codes whose images do not; its unit normal is the editing direction. Codes are ranked by a score
/// (here the classifier's log-odds of the target class), the top and bottom <see cref="InterFaceGanOptions.Ratio"/>
/// become positives and negatives, and an L2-regularised logistic regression (½‖w‖² + C·Σ log-loss, bias not
/// penalised) is fitted by Newton's method — the paper fits a linear SVM; both give a maximum-margin-like normal.
/// </summary>
public static class InterFaceGan
{
    /// <summary>Fits the boundary to <paramref name="latents"/> (N×L) ranked by <paramref name="scores"/> (N).</summary>
    public static InterFaceGanResult Fit(Tensor latents, IReadOnlyList<double> scores, InterFaceGanOptions? options = null)
    {
        options ??= new InterFaceGanOptions();
        options.Validate();
        if (latents.dim() != 2 || latents.shape[0] != scores.Count)
            throw new GlassboxException($"InterFaceGAN needs N×L latents and N scores, not [{string.Join(", ", latents.shape)}] and {scores.Count}.");
        if (scores.Any(s => !double.IsFinite(s))) throw new GlassboxException("The InterFaceGAN scores contain NaN or infinite values.");
        int n = scores.Count, each = (int)Math.Floor(n * options.Ratio);
        if (each < 4) throw new GlassboxException($"InterFaceGAN keeps {each} codes at each end of {n}; sample more codes (at least {(int)Math.Ceiling(4 / options.Ratio)}).");
        var order = Enumerable.Range(0, n).OrderByDescending(i => scores[i]).ThenBy(i => i).ToArray();
        if (scores[order[each - 1]] <= scores[order[n - each]])
            throw new GlassboxException("The top and bottom InterFaceGAN codes have the same score: the classifier does not separate them; sample more codes or pick another target.");
        var rows = DirectionMath.Rows(latents);
        var kept = order.Take(each).Select(i => (Row: rows[i], Label: 1.0)).Concat(order.Skip(n - each).Select(i => (Row: rows[i], Label: 0.0))).ToList();

        // Shuffle positives and negatives separately so both sides keep the train share.
        var rng = new Random(options.Seed);
        var positives = kept.Where(k => k.Label == 1).OrderBy(_ => rng.Next()).ToList();
        var negatives = kept.Where(k => k.Label == 0).OrderBy(_ => rng.Next()).ToList();
        int trainEach = Math.Clamp((int)Math.Round(each * options.TrainShare), 1, each - 1);
        var train = positives.Take(trainEach).Concat(negatives.Take(trainEach)).ToList();
        var held = positives.Skip(trainEach).Concat(negatives.Skip(trainEach)).ToList();

        var (w, b, iterations) = Logistic(train.Select(t => t.Row).ToList(), train.Select(t => t.Label).ToList(), options);
        double Accuracy(List<(double[] Row, double Label)> set) =>
            set.Count(s => (Dot(w, s.Row) + b > 0) == (s.Label == 1)) / (double)set.Count;
        double heldOut = Accuracy(held);
        var direction = DirectionMath.Unit(w, "InterFaceGAN normal", fixSign: false);
        return new InterFaceGanResult(new LatentDirections("interfacegan", [direction], [heldOut], "held-out boundary accuracy"),
            w, b, Accuracy(train), heldOut, train.Count, held.Count, iterations);
    }

    /// <summary>
    /// The score codes are ranked by: the log-odds log p_t − log(1 − p_t) of class <paramref name="target"/> under
    /// the classifier's <paramref name="logits"/> (N×K), computed stably from log-softmax.
    /// </summary>
    public static double[] LogOdds(Tensor logits, int target)
    {
        if (logits.dim() != 2 || target < 0 || target >= logits.shape[1])
            throw new GlassboxException($"Class {target} is not one of the {(logits.dim() == 2 ? logits.shape[1] : 0)} classes of the logits.");
        using var scope = torch.NewDisposeScope();
        var lp = nn.functional.log_softmax(DirectionMath.Float64(logits), 1);
        var mask = torch.ones(logits.shape[1], ScalarType.Bool);
        mask[target] = false;
        var rest = lp.index_select(1, torch.nonzero(mask).squeeze(1)).logsumexp(1);
        return (lp[.., target] - rest).data<double>().ToArray();
    }

    /// <summary>L2-regularised logistic regression by Newton's method (iteratively reweighted least squares).</summary>
    internal static (double[] W, double B, int Iterations) Logistic(IReadOnlyList<double[]> x, IReadOnlyList<double> y, InterFaceGanOptions options)
    {
        using var scope = torch.NewDisposeScope();
        int n = x.Count, l = x[0].Length;
        var xa = torch.cat([DirectionMath.Matrix(x), torch.ones([n, 1], ScalarType.Float64)], 1);
        var target = torch.tensor(y.ToArray(), ScalarType.Float64);
        var penalty = torch.ones(l + 1, ScalarType.Float64);
        penalty[l] = 0;
        var theta = torch.zeros(l + 1, ScalarType.Float64);
        int it = 0;
        while (it < options.MaxIterations)
        {
            it++;
            var p = torch.sigmoid(xa.matmul(theta));
            var gradient = options.C * xa.t().matmul(p - target) + penalty * theta;
            var weight = options.C * p * (1 - p);
            var hessian = xa.t().matmul(xa * weight.unsqueeze(1)) + torch.diag(penalty) + 1e-12 * torch.eye(l + 1, dtype: ScalarType.Float64);
            var step = torch.linalg.solve(hessian, gradient);
            theta = theta - step;
            if (step.abs().max().item<double>() < options.Tolerance) break;
        }
        var t = theta.data<double>().ToArray();
        if (t.Any(v => !double.IsFinite(v))) throw new GlassboxException("The InterFaceGAN boundary did not converge to finite weights.");
        return (t[..l], t[l], it);
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}

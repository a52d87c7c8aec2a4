using System.Diagnostics;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Generation.Explain.Counterfactuals;

/// <summary>
/// Latent shift (Cohen et al. 2021, "Gifsplanation via Latent Shift"): the gradient of the classifier's output
/// through the decoder, d = ∂f(G(z))/∂z at the input's code (computed once, normalised), and the codes z + λ·d for a
/// growing λ until the classifier calls G(z + λ·d) the target. The frames from λ = 0 to that λ morph the
/// reconstruction into the counterfactual, showing what the classifier needs to change.
/// </summary>
public sealed class LatentShift
{
    /// <summary>Creates the method with <paramref name="options"/> (null = the defaults).</summary>
    public LatentShift(LatentShiftOptions? options = null)
    {
        Options = options ?? new LatentShiftOptions();
        Options.Validate();
    }

    /// <summary>The settings.</summary>
    public LatentShiftOptions Options { get; }

    /// <summary>
    /// Shifts each row's code <paramref name="start"/> (N×L) along its gradient direction until the classifier calls
    /// the decoded image <paramref name="targets"/>[i]; <paramref name="originals"/> are the classes the objective
    /// <see cref="LatentShiftObjective.Original"/> moves away from; <paramref name="inputs"/> are only checked for shape.
    /// </summary>
    public LatentShiftResult Search(Func<Tensor, Tensor> decode, IImageModel classifier, Tensor start, Tensor inputs, int[] targets, int[] originals,
        CancellationToken cancel = default)
    {
        CounterfactualChecks.Check(classifier, start, inputs, targets, "The latent shift");
        if (originals.Length != targets.Length) throw new GlassboxException($"The latent shift needs one original class per image: {targets.Length} targets but {originals.Length} originals.");
        var clock = Stopwatch.StartNew();
        int n = targets.Length;
        using var z0 = start.detach().to_type(ScalarType.Float32).clone();
        using var direction = Direction(decode, classifier, z0, Options.Objective == LatentShiftObjective.Target ? targets : originals,
            Options.Objective == LatentShiftObjective.Target ? 1.0 : -1.0);

        var reached = new bool[n];
        var steps = new int[n];
        var lambdas = new double[n];
        int maxSteps = (int)Math.Ceiling(Options.MaxShift / Options.Step - 1e-9);
        using (torch.no_grad())
        {
            for (int k = 0; k <= maxSteps; k++)
            {
                cancel.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                double lambda = Math.Min(k * Options.Step, Options.MaxShift);
                long[] active = Enumerable.Range(0, n).Where(i => !reached[i]).Select(i => (long)i).ToArray();
                var rows = torch.tensor(active, device: z0.device);
                long[] predicted = classifier.Forward(decode(z0.index_select(0, rows) + lambda * direction.index_select(0, rows))).argmax(1).cpu().data<long>().ToArray();
                for (int a = 0; a < active.Length; a++)
                {
                    int i = (int)active[a];
                    steps[i] = k;
                    lambdas[i] = lambda;
                    reached[i] = predicted[a] == targets[i];
                }
                if (reached.All(r => r)) break;
            }
        }
        double seconds = clock.Elapsed.TotalSeconds;

        using var noGrad = torch.no_grad();
        using var lambdaColumn = torch.tensor(lambdas.Select(v => (float)v).ToArray(), [n, 1], device: z0.device);
        var found = z0 + lambdaColumn * direction;
        var images = decode(found);
        var search = new CounterfactualSearch(found, images, reached, steps, seconds);

        int f = Options.Frames;
        var frameList = new List<Tensor>();
        var logits = new double[n][];
        for (int i = 0; i < n; i++) logits[i] = new double[f];
        using var targetIndex = CounterfactualChecks.TargetTensor(targets, z0.device).unsqueeze(1);
        for (int j = 0; j < f; j++)
        {
            using var scope = torch.NewDisposeScope();
            var frame = decode(z0 + lambdaColumn * ((double)j / (f - 1)) * direction);
            var tl = classifier.Forward(frame).to_type(ScalarType.Float64).gather(1, targetIndex).cpu().data<double>().ToArray();
            for (int i = 0; i < n; i++) logits[i][j] = tl[i];
            frameList.Add(frame.unsqueeze(1).MoveToOuterDisposeScope());
        }
        var frames = torch.cat(frameList, 1);
        foreach (var t in frameList) t.Dispose();
        return new LatentShiftResult(search, lambdas, direction.clone(), frames, logits);
    }

    /// <summary>sign·∂ log p(class | G(z)) / ∂z per row, normalised to unit length (a zero gradient stays zero).</summary>
    private static Tensor Direction(Func<Tensor, Tensor> decode, IImageModel classifier, Tensor z0, int[] classes, double sign)
    {
        using var scope = torch.NewDisposeScope();
        using var enable = torch.enable_grad();
        var z = z0.clone().requires_grad_(true);
        var logp = nn.functional.log_softmax(classifier.Forward(decode(z)).to_type(ScalarType.Float32), 1);
        var picked = logp.gather(1, CounterfactualChecks.TargetTensor(classes, z0.device).unsqueeze(1)).sum() * sign;
        var grad = torch.autograd.grad([picked], [z])[0];
        var norm = grad.norm(1, keepdim: true, p: 2).clamp_min(1e-12);
        return (grad / norm).detach().MoveToOuterDisposeScope();
    }
}

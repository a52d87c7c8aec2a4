using System.Diagnostics;
using Glassbox.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Glassbox.Generation.Explain.Counterfactuals;

/// <summary>
/// REVISE (Joshi et al. 2019, "Towards Realistic Individual Recourse and Actionable Explanations in Black-Box
/// Decision Making Systems"): starting from the code of the input, z ← Adam step on
/// CE(f(G(z)), target) + λ·‖G(z) − x‖₁, stopping as soon as the classifier's arg-max on G(z) is the target (and, optionally, p(target) reaches a confidence). Keeping
/// the search in the generator's latent space keeps the counterfactual on the data manifold the generator learned.
/// </summary>
public sealed class Revise
{
    /// <summary>Creates the search with <paramref name="options"/> (null = the defaults).</summary>
    public Revise(ReviseOptions? options = null)
    {
        Options = options ?? new ReviseOptions();
        Options.Validate();
    }

    /// <summary>The settings.</summary>
    public ReviseOptions Options { get; }

    /// <summary>
    /// Searches one counterfactual per row: <paramref name="start"/> (N×L) is the code of <paramref name="inputs"/>
    /// (N×C×H×W in [0, 1], e.g. the VAE posterior mean), <paramref name="decode"/> maps codes to images
    /// differentiably, <paramref name="targets"/> holds one class per row. Rows are independent (the loss is a sum of
    /// per-row terms and Adam is element-wise); a row stops moving once it reached its target.
    /// </summary>
    public CounterfactualSearch Search(Func<Tensor, Tensor> decode, IImageModel classifier, Tensor start, Tensor inputs, int[] targets,
        CancellationToken cancel = default)
    {
        CounterfactualChecks.Check(classifier, start, inputs, targets, "REVISE");
        var clock = Stopwatch.StartNew();
        int n = targets.Length;
        var reached = new bool[n];
        var steps = new int[n];
        using var t = CounterfactualChecks.TargetTensor(targets, inputs.device);
        using var x = inputs.detach().to_type(ScalarType.Float32);
        var z = new Parameter(start.detach().to_type(ScalarType.Float32).clone(), requires_grad: true);
        var found = start.detach().to_type(ScalarType.Float32).clone();
        using var optimizer = torch.optim.Adam([z], Options.LearningRate);
        try
        {
            for (int step = 0; ; step++)
            {
                cancel.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                optimizer.zero_grad();
                var image = decode(z);
                var logits = classifier.Forward(image);
                long[] predicted = logits.detach().argmax(1).cpu().data<long>().ToArray();
                double[] confidence = nn.functional.softmax(logits.detach().to_type(ScalarType.Float64), 1).gather(1, t.unsqueeze(1)).cpu().data<double>().ToArray();
                var active = new float[n];
                for (int i = 0; i < n; i++)
                {
                    if (!reached[i] && predicted[i] == targets[i] && confidence[i] >= Options.Confidence)
                    {
                        reached[i] = true;
                        steps[i] = step;
                        found[i].copy_(z.detach()[i]);
                    }
                    active[i] = reached[i] ? 0f : 1f;
                }
                if (reached.All(r => r) || step == Options.Steps)
                {
                    for (int i = 0; i < n; i++)
                        if (!reached[i])
                        {
                            steps[i] = step;
                            found[i].copy_(z.detach()[i]);
                        }
                    break;
                }
                var ce = nn.functional.cross_entropy(logits.to_type(ScalarType.Float32), t, reduction: nn.Reduction.None);
                var distance = (image - x).abs().flatten(1).sum(1);
                var loss = ((ce + Options.Lambda * distance) * torch.tensor(active, device: ce.device)).sum();
                loss.backward();
                optimizer.step();
            }
            using var noGrad = torch.no_grad();
            var images = decode(found);
            return new CounterfactualSearch(found, images, reached, steps, clock.Elapsed.TotalSeconds);
        }
        catch
        {
            found.Dispose();
            throw;
        }
        finally { z.Dispose(); }
    }
}

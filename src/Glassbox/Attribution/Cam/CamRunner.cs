using Glassbox.Attribution.Common;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Cam;

/// <summary>Shared loop of the CAM methods: internal batches, targets, input checks, upsampling and the explanation.</summary>
internal static class CamRunner
{
    /// <summary>
    /// Runs <paramref name="maps"/> (activations A, logits as a function of A, classes → N×1×h×w maps) for every slot and
    /// builds an explanation whose map is replicated over the input channels.
    /// </summary>
    public static Explanation Run(IImageModel model, CamLayers layers, string method, object settings, Tensor inputs, TargetSelection targets,
        OutputSpace output, int batch, CamInterpolation interpolation, Func<Tensor, Tensor, Tensor, long[], Tensor> maps,
        IProgress<(int Done, int Total)>? progress, CancellationToken cancel, Func<Tensor, long[], Tensor>? post = null)
    {
        if (batch < 1) throw new GlassboxException($"The internal batch size must be at least 1, not {batch}.");
        ModelCapabilities.CheckInput(model, inputs);
        InputChecks.Finite(inputs, "input images");
        var x = inputs.detach().to(model.Device);
        var builder = new ExplanationBuilder(method, settings, x.shape, targets, model.Info.Classes);
        int n = builder.N, k = builder.K, c = builder.C, h = builder.H, w = builder.W;
        var outputs = new double[n * k];
        for (int start = 0; start < n; start += batch)
        {
            cancel.ThrowIfCancellationRequested();
            int m = Math.Min(batch, n - start);
            using var scope = torch.NewDisposeScope();
            var xc = x.narrow(0, start, m);
            Tensor a;
            using (torch.no_grad()) a = layers.Activations(xc);
            using var enable = torch.enable_grad();
            var ag = a.detach().requires_grad_(true);
            var logits = layers.Logits(xc, ag);
            var scores = output == OutputSpace.Logits ? logits : nn.functional.softmax(logits, 1);
            for (int slot = 0; slot < k; slot++)
            {
                var cls = Enumerable.Range(start, m).Select(i => (long)builder.Targets[i * k + slot]).ToArray();
                var map = maps(ag, scores, xc, cls);
                var up = CamLayers.Upsample(map.detach(), h, w, interpolation);
                if (post is not null) up = post(up, cls);
                builder.SetSlot(slot, up.expand(m, c, h, w), start);
                var idx = torch.tensor(cls, device: x.device).unsqueeze(1);
                var sv = scores.gather(1, idx).squeeze(1).detach().to_type(ScalarType.Float64).cpu().data<double>().ToArray();
                for (int i = 0; i < m; i++) outputs[(start + i) * k + slot] = sv[i];
            }
            progress?.Report((start + m, n));
        }
        return builder.Build(output, outputs, null, completeness: false);
    }

    /// <summary>∂(Σ selected scores)/∂A, keeping the graph for the next class.</summary>
    public static Tensor Gradient(Tensor activations, Tensor scores, long[] classes)
    {
        var idx = torch.tensor(classes, device: scores.device).unsqueeze(1);
        var selected = scores.gather(1, idx).sum();
        return torch.autograd.grad([selected], [activations], retain_graph: true)[0].detach();
    }
}

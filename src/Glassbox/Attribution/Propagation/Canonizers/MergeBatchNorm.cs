using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// Merges each batch norm (evaluation mode, running statistics) into the Conv2d or Linear whose output it alone reads,
/// as Zennit's <c>SequentialMergeBatchNorm</c>: with s = γ / √(σ² + ε), the merged layer has weights <c>s·W</c> and
/// bias <c>s·(b − μ) + β</c>, so the forward output is unchanged while LRP sees one weighted layer. New modules are
/// built; the model's are left as they are.
/// </summary>
public sealed class MergeBatchNorm : ICanonizer
{
    /// <inheritdoc />
    public LayerGraph Apply(LayerGraph graph)
    {
        var nodes = graph.Nodes;
        var readers = new int[nodes.Count + 1];
        foreach (var node in nodes) foreach (int j in node.Inputs) readers[j]++;
        var result = new List<LayerNode>();
        var newIndex = new int[nodes.Count + 1]; // old value index → new value index
        for (int i = 0; i < nodes.Count; i++)
        {
            var node = nodes[i];
            var inputs = node.Inputs.Select(j => newIndex[j]).ToArray();
            if (IsMergeableNorm(node.Module) && node.Inputs.Count == 1 && node.Inputs[0] > 0 && readers[node.Inputs[0]] == 1
                && result.Count > 0 && newIndex[node.Inputs[0]] == result.Count && Merge(result[^1].Module, node.Module) is { } merged)
            {
                result[^1] = result[^1] with { Module = merged };
                newIndex[i + 1] = result.Count;
                continue;
            }
            result.Add(node with { Inputs = inputs });
            newIndex[i + 1] = result.Count;
        }
        return new LayerGraph(result);
    }

    private static bool IsMergeableNorm(nn.Module module)
        => module is BatchNorm2d { running_mean: not null, running_var: not null } or BatchNorm1d { running_mean: not null, running_var: not null };

    private static nn.Module<Tensor, Tensor>? Merge(nn.Module<Tensor, Tensor> layer, nn.Module<Tensor, Tensor> norm)
    {
        var (mean, variance, gamma, beta, eps) = norm switch
        {
            BatchNorm2d b => (b.running_mean!, b.running_var!, b.weight, b.bias, b.eps),
            BatchNorm1d b => (b.running_mean!, b.running_var!, b.weight, b.bias, b.eps),
            _ => throw new InvalidOperationException(),
        };
        using var noGrad = torch.no_grad();
        var scale = (variance.detach() + eps).rsqrt();
        if (gamma is not null) scale = scale * gamma.detach();
        var shift = -mean.detach() * scale;
        if (beta is not null) shift = shift + beta.detach();
        switch (layer)
        {
            case Conv2d conv when norm is BatchNorm2d && conv.padding is not null && conv.weight!.shape[0] == scale.shape[0]:
            {
                var w = conv.weight!.detach();
                var merged = nn.Conv2d(conv.in_channels, conv.out_channels, (w.shape[2], w.shape[3]),
                    stride: (conv.stride[0], conv.stride[1]), padding: (conv.padding![0], conv.padding![1]),
                    dilation: (conv.dilation[0], conv.dilation[1]), groups: conv.groups, bias: true, device: w.device, dtype: w.dtype);
                merged.weight!.copy_(w * scale.reshape(-1, 1, 1, 1));
                merged.bias!.copy_(conv.bias is null ? shift : conv.bias.detach() * scale + shift);
                merged.eval();
                return merged;
            }
            case Linear lin when norm is BatchNorm1d && lin.weight!.shape[0] == scale.shape[0]:
            {
                var w = lin.weight!.detach();
                var merged = nn.Linear(w.shape[1], w.shape[0], hasBias: true, device: w.device, dtype: w.dtype);
                merged.weight!.copy_(w * scale.unsqueeze(1));
                merged.bias!.copy_(lin.bias is null ? shift : lin.bias.detach() * scale + shift);
                merged.eval();
                return merged;
            }
            default:
                return null;
        }
    }
}

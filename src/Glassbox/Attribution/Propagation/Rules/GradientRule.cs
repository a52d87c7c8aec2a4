using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// The layer's ordinary gradient (vector–Jacobian product), in closed form where there is one: transposed
/// convolution, transposed matrix product, reshape, per-channel batch-norm scale, max-pool routing to the winners,
/// ReLU/Sigmoid/Tanh/Softmax derivatives; autograd at the layer's input otherwise (for a graph node with several
/// inputs, with respect to each). Linear layers and affine graph nodes accept a signal of any number of rows.
/// </summary>
public sealed class GradientRule : IBackwardRule
{
    /// <inheritdoc />
    public string Name => "gradient";

    /// <inheritdoc />
    public Tensor[] Backward(LayerStep step, Tensor signal, object? state)
        => step.Module is GraphOp op && step.Inputs.Count > 1
            ? PropagationMath.Vjp(op, step.Inputs, PropagationMath.Expand(signal, step.Input.shape[0], step.Output.shape))
            : [Apply(step, signal)];

    /// <summary>gᵀ·∂layer/∂input for the step's layer.</summary>
    public static Tensor Apply(LayerStep step, Tensor g)
    {
        var layer = step.Module;
        long[] inShape = step.Input.shape;
        switch (layer)
        {
            case Linear lin:
                return g.matmul(lin.weight!.detach());
            case Conv2d conv:
                return PropagationMath.ConvTranspose(conv, conv.weight!.detach(), g, inShape);
            case Flatten:
                return g.reshape(PropagationMath.WithRows(g.shape[0], inShape));
            case Dropout or Identity or GraphOp { Kind: GraphOpKind.Pass }:
                return g;
            case GraphOp { Kind: GraphOpKind.Shape or GraphOpKind.Linear or GraphOpKind.Scale } op:
            {
                // Affine in its input: the Jacobian is the same at any point, so zeros serve for any number of rows.
                var at = torch.zeros(PropagationMath.WithRows(g.shape[0], inShape), dtype: step.Input.dtype, device: step.Input.device);
                return PropagationMath.Vjp(op, at, g.reshape(PropagationMath.WithRows(g.shape[0], step.Output.shape)));
            }
            case BatchNorm2d bn when bn.running_var is not null:
            {
                var scale = (bn.running_var.detach() + bn.eps).rsqrt();
                if (bn.weight is not null) scale = scale * bn.weight.detach();
                return g * scale.reshape(1, -1, 1, 1);
            }
            case AvgPool2d:
            {
                // Affine, so its Jacobian is the same at any point: zeros serve for any number of rows.
                var at = torch.zeros(PropagationMath.WithRows(g.shape[0], inShape), dtype: step.Input.dtype, device: step.Input.device);
                return PropagationMath.Vjp(layer, at, g.reshape(PropagationMath.WithRows(g.shape[0], step.Output.shape)));
            }
            case MaxPool2d pool:
            {
                var x = step.Input;
                var (_, idx) = nn.functional.max_pool2d_with_indices(x, pool.kernel_size, pool.stride ?? pool.kernel_size, pool.padding, pool.dilation, pool.ceil_mode);
                var acc = torch.zeros([x.shape[0], x.shape[1], x.shape[2] * x.shape[3]], dtype: g.dtype, device: g.device);
                acc.scatter_add_(2, idx.flatten(2), PropagationMath.Expand(g, x.shape[0], step.Output.shape).flatten(2));
                return acc.reshape(x.shape);
            }
            case ReLU:
            {
                var mask = (step.Input > 0).to_type(g.dtype);
                return mask.shape.SequenceEqual(g.shape) ? mask.mul_(g) : g * mask; // the mask's buffer holds the product
            }
            case Sigmoid:
                return g * step.Output * (1 - step.Output);
            case Tanh:
                return g * (1 - step.Output * step.Output);
            case Softmax s when s.dim == 1 || s.dim == -1:
            {
                var p = step.Output;
                return p * (g - (g * p).sum(1, keepdim: true));
            }
            default:
                return PropagationMath.Vjp(layer, step.Input, g);
        }
    }
}

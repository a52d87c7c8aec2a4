using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Glassbox.Models.Residual;

/// <summary>
/// The basic residual block of He et al. 2016 ("Deep Residual Learning for Image Recognition"), laid out as
/// torchvision's <c>BasicBlock</c>: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), both convolutions 3×3 without
/// bias, the first with the block's stride; the shortcut is the identity, or <c>downsample</c> = Conv1×1(stride)+BN
/// when the stride or the channel count changes. Its state_dict keys are torchvision's (<c>conv1.weight</c>,
/// <c>bn1.running_mean</c>, <c>downsample.0.weight</c>, <c>downsample.1.running_var</c>, ...).
/// </summary>
public sealed class BasicBlock : nn.Module<Tensor, Tensor>
{
    /// <summary>A block from <paramref name="inChannels"/> to <paramref name="outChannels"/> channels, the first convolution striding by <paramref name="stride"/>.</summary>
    public BasicBlock(long inChannels, long outChannels, long stride = 1) : base(nameof(BasicBlock))
    {
        if (inChannels < 1 || outChannels < 1 || stride < 1)
            throw new GlassboxException($"A residual block needs positive channel counts and stride, not {inChannels}→{outChannels} with stride {stride}.");
        Conv1 = nn.Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false);
        Bn1 = nn.BatchNorm2d(outChannels);
        Conv2 = nn.Conv2d(outChannels, outChannels, 3, padding: 1, bias: false);
        Bn2 = nn.BatchNorm2d(outChannels);
        register_module("conv1", Conv1);
        register_module("bn1", Bn1);
        register_module("conv2", Conv2);
        register_module("bn2", Bn2);
        if (stride != 1 || inChannels != outChannels)
        {
            Downsample = nn.Sequential(
                ("0", nn.Conv2d(inChannels, outChannels, 1, stride: stride, bias: false)),
                ("1", nn.BatchNorm2d(outChannels)));
            register_module("downsample", Downsample);
        }
    }

    /// <summary>The first 3×3 convolution (carries the stride).</summary>
    public Conv2d Conv1 { get; }

    /// <summary>Batch norm after <see cref="Conv1"/>.</summary>
    public BatchNorm2d Bn1 { get; }

    /// <summary>The second 3×3 convolution.</summary>
    public Conv2d Conv2 { get; }

    /// <summary>Batch norm after <see cref="Conv2"/>, before the addition.</summary>
    public BatchNorm2d Bn2 { get; }

    /// <summary>Conv1×1 + BatchNorm on the shortcut when the shape changes, else null (identity shortcut).</summary>
    public Sequential? Downsample { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var shortcut = Downsample is null ? input : Downsample.forward(input);
        var y = nn.functional.relu(Bn1.forward(Conv1.forward(input)));
        y = Bn2.forward(Conv2.forward(y));
        return nn.functional.relu(y + shortcut).MoveToOuterDisposeScope();
    }
}

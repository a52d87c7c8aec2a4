using Glassbox.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// Which LRP rule each weighted layer gets, as Zennit's composites: <c>epsilon</c> (ε everywhere, Captum's default),
/// <c>epsilon-plus</c> (z⁺ on convolutions, ε on dense layers), <c>epsilon-gamma</c> (γ on convolutions, ε on dense
/// layers), <c>alpha1-beta0</c> (α1β0 on both), <c>z-plus</c> and <c>gamma</c> (that rule on both), and Zennit's
/// <c>epsilon-plus-flat</c> (EpsilonPlusFlat: flat on the first weighted layer), <c>epsilon-gamma-box</c>
/// (EpsilonGammaBox: z^B on a first convolution, Zennit's generalised γ on the other convolutions, ε on dense
/// layers) and
/// <c>epsilon-alpha2-beta1</c> (EpsilonAlpha2Beta1). The three Zennit composites first merge batch norm into the
/// preceding layer (<see cref="MergeBatchNorm"/>), as Zennit is used with its canonizer. Other layers: activations,
/// dropout and identity pass relevance on, max-pooling gives it to the winner, average pooling and batch norm use ε.
/// On graph models: a sum of branches splits relevance in proportion to each branch's contribution
/// (<see cref="ProportionalSumRule"/>), a concatenation splits it back, a product gives it all to the signal
/// (<see cref="SignalTakesAllRule"/>), reshapes move it, a shift or scale by a constant passes it on, and other affine nodes (global pooling, reductions, Gemm or
/// Conv without a module equivalent) use ε.
/// </summary>
/// <param name="Convolution">Rule for Conv2d.</param>
/// <param name="Dense">Rule for Linear.</param>
/// <param name="FirstConvolution">Rule for a Conv2d that is the first weighted layer, or null for <paramref name="Convolution"/>.</param>
/// <param name="FirstDense">Rule for a Linear that is the first weighted layer, or null for <paramref name="Dense"/>.</param>
/// <param name="MergeBatchNorm">Merge batch norm into the preceding layer first.</param>
public sealed record LrpComposite(LrpRule Convolution, LrpRule Dense, LrpRule? FirstConvolution = null, LrpRule? FirstDense = null, bool MergeBatchNorm = false)
{
    /// <summary>Layer types with an LRP rule.</summary>
    public const string Supported = Composite.CommonLayers;

    /// <summary>Composite names.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["epsilon", "epsilon-plus", "epsilon-gamma", "alpha1-beta0", "z-plus", "gamma", "epsilon-plus-flat", "epsilon-gamma-box", "epsilon-alpha2-beta1"];

    /// <summary>The composite called <paramref name="name"/>.</summary>
    public static LrpComposite Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "epsilon" => new(LrpRule.Epsilon, LrpRule.Epsilon),
        "epsilon-plus" => new(LrpRule.ZPlus, LrpRule.Epsilon),
        "epsilon-gamma" => new(LrpRule.Gamma, LrpRule.Epsilon),
        "alpha1-beta0" => new(LrpRule.Alpha1Beta0, LrpRule.Alpha1Beta0),
        "z-plus" => new(LrpRule.ZPlus, LrpRule.ZPlus),
        "gamma" => new(LrpRule.Gamma, LrpRule.Gamma),
        "epsilon-plus-flat" => new(LrpRule.ZPlus, LrpRule.Epsilon, LrpRule.Flat, LrpRule.Flat, MergeBatchNorm: true),
        "epsilon-gamma-box" => new(LrpRule.GeneralizedGamma, LrpRule.Epsilon, FirstConvolution: LrpRule.ZBox, MergeBatchNorm: true),
        "epsilon-alpha2-beta1" => new(LrpRule.Alpha2Beta1, LrpRule.Epsilon, MergeBatchNorm: true),
        _ => throw new GlassboxException($"Unknown LRP composite '{name}'. Known: {string.Join(", ", Names)}."),
    };

    /// <summary>
    /// The engine composite for <paramref name="options"/> (ε, γ) and <paramref name="model"/>, whose input
    /// normalisation maps the pixel range [0, 1] to the z^B bounds.
    /// </summary>
    public Composite Build(LrpOptions options, IImageModel model)
    {
        var epsilon = new EpsilonRule(options.Epsilon);
        var gradient = new GradientRule();
        var pass = new PassRule();
        var sum = new ProportionalSumRule(options.Epsilon);
        var gate = new SignalTakesAllRule();
        var concat = new ConcatRule();
        var conv = Create(Convolution, options, model);
        var dense = Create(Dense, options, model);
        var firstConv = FirstConvolution is { } fc ? Create(fc, options, model) : null;
        var firstDense = FirstDense is { } fd ? Create(fd, options, model) : null;
        return new Composite(Names.FirstOrDefault(n => Parse(n) == this) ?? "custom", layer => layer switch
        {
            Conv2d => conv,
            Linear => dense,
            Flatten or MaxPool2d => gradient, // reshape; winner takes all
            AvgPool2d or BatchNorm2d => epsilon,
            ReLU or LeakyReLU or ELU or Sigmoid or Tanh or Softplus or Hardtanh or Dropout or Identity => pass,
            GraphOp op => op.Kind switch
            {
                GraphOpKind.Shape or GraphOpKind.MaxPool => gradient, // values moved, not combined; winner takes all
                GraphOpKind.Linear => epsilon, // pooling, reductions, batch norm, Gemm/Conv without a module (Zennit's Norm)
                GraphOpKind.Elementwise or GraphOpKind.Scale or GraphOpKind.Pass => pass, // a shift or scale by a constant keeps each value's relevance
                GraphOpKind.Sum => sum,
                GraphOpKind.Product => gate,
                GraphOpKind.Concat => concat,
                _ => null,
            },
            _ => null,
        }, Supported, layer => layer switch
        {
            Conv2d => firstConv,
            Linear => firstDense,
            _ => null,
        }, MergeBatchNorm ? [new MergeBatchNorm()] : null);
    }

    private static IBackwardRule Create(LrpRule rule, LrpOptions options, IImageModel model) => rule switch
    {
        LrpRule.Epsilon => new EpsilonRule(options.Epsilon),
        LrpRule.Gamma => new GammaRule(options.Gamma),
        LrpRule.ZPlus => new ZPlusRule(),
        LrpRule.Alpha1Beta0 => new AlphaBetaRule(1, 0),
        LrpRule.Alpha2Beta1 => new AlphaBetaRule(2, 1),
        LrpRule.Flat => new FlatRule(),
        LrpRule.WSquare => new WSquareRule(),
        LrpRule.ZBox => PixelBox(model),
        LrpRule.GeneralizedGamma => new GeneralizedGammaRule(options.Gamma),
        _ => throw new GlassboxException($"Unknown LRP rule {rule}."),
    };

    // The pixel range [0, 1] through the input normalisation, one value per input element (1×C×H×W).
    private static ZBoxRule PixelBox(IImageModel model)
    {
        using var noGrad = torch.no_grad();
        var info = model.Info;
        var shape = new long[] { 1, info.Channels, info.Height, info.Width };
        var low = model.Preprocess(torch.zeros(shape, device: model.Device)).detach().DetachFromDisposeScope();
        var high = model.Preprocess(torch.ones(shape, device: model.Device)).detach().DetachFromDisposeScope();
        return new ZBoxRule(low, high);
    }
}

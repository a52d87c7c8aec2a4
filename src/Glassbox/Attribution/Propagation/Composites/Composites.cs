using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>The composites of the gradient-like propagation methods (DeepLIFT, guided backpropagation, deconvolution).</summary>
public static class Composites
{
    /// <summary>
    /// DeepLIFT's rescale composite (Shrikumar et al. 2017): the rescale rule on element-wise nonlinearities, SHAP's
    /// cross-max rule on max-pooling, the softmax path Jacobian, and the exact gradient of linear layers; on graph
    /// models, multipliers pass to both branches of a sum, split at a concatenation and follow the Shapley product rule
    /// at a product of activations (<see cref="ProductRule"/>), so <c>Σ m·(x − r) = f(x) − f(r)</c> for every pair.
    /// </summary>
    /// <param name="epsilon">Below this |x − r| a nonlinearity's multiplier falls back to its derivative.</param>
    /// <param name="softmaxNodes">Quadrature nodes of the softmax path rule.</param>
    /// <param name="maxPool">SHAP's cross-max rule (default) or Captum's (<see cref="CaptumMaxPoolRule"/> with <paramref name="epsilon"/>).</param>
    public static Composite Rescale(double epsilon, int softmaxNodes = 64, MaxPoolRule maxPool = MaxPoolRule.Shap)
    {
        var rescale = new RescaleRule(epsilon);
        IBackwardRule cross = maxPool == MaxPoolRule.Captum ? new CaptumMaxPoolRule(epsilon) : new CrossMaxRule();
        var softmax = new SoftmaxPathRule(softmaxNodes);
        var gradient = new GradientRule();
        var sum = new SumRule();
        var product = new ProductRule();
        var concat = new ConcatRule();
        return new Composite("rescale", layer => layer switch
        {
            ReLU or LeakyReLU or ELU or Sigmoid or Tanh or Softplus or Hardtanh => rescale,
            MaxPool2d => cross,
            Softmax => softmax,
            Conv2d or Linear or Flatten or AvgPool2d or BatchNorm2d or Dropout or Identity => gradient,
            GraphOp op => op.Kind switch
            {
                GraphOpKind.Elementwise => rescale,
                GraphOpKind.Shape or GraphOpKind.Linear or GraphOpKind.Scale or GraphOpKind.Pass => gradient,
                GraphOpKind.MaxPool => cross,
                GraphOpKind.Softmax => softmax,
                GraphOpKind.Sum => sum,
                GraphOpKind.Product => product,
                GraphOpKind.Concat => concat,
                _ => null,
            },
            _ => null,
        }, Composite.CommonLayers);
    }

    /// <summary>Guided backpropagation (Springenberg et al. 2015): the guided rule on ReLU, the gradient elsewhere.</summary>
    public static Composite GuidedBackprop() => ReluComposite("guided-backprop", new GuidedReluRule());

    /// <summary>Deconvolution (Zeiler and Fergus 2014): the deconvolution rule on ReLU, the gradient elsewhere.</summary>
    public static Composite Deconvolution() => ReluComposite("deconvolution", new DeconvReluRule());

    private static Composite ReluComposite(string name, IBackwardRule relu)
    {
        var gradient = new GradientRule();
        return new Composite(name, layer => layer is ReLU ? relu : gradient, "any layer (ReLU by the modified rule, others by their gradient)");
    }
}

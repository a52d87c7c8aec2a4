using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// The engine configured for DeepLIFT and DeepSHAP (<see cref="Composites.Rescale"/>): traces inputs and references,
/// prepares the pair rules' multipliers once per batch, and maps an output gradient to multipliers with respect to the
/// pixels (through the input normalisation), for pairs aligned (input i with reference i) or crossed (every input
/// with every reference, pair i·B + b). The sum of <c>multiplier · (x − r)</c> over the pixels equals
/// <c>f(x) − f(r)</c> for every pair.
/// </summary>
internal sealed class DeepLiftPass
{
    private readonly IImageModel _model;
    private readonly BackwardPass _pass;

    /// <summary>Checks that every layer has a rule; throws a <see cref="GlassboxException"/> naming the first that has none.</summary>
    public DeepLiftPass(IImageModel model, double epsilon, string method, int softmaxNodes = 64, MaxPoolRule maxPool = MaxPoolRule.Shap)
    {
        _model = model;
        _pass = Composites.Rescale(epsilon, softmaxNodes, maxPool).Build(LayerGraph.FromModel(model, method), method);
        if (maxPool == MaxPoolRule.Captum) _pass = CaptumPools(_pass, epsilon);
    }

    // Captum's hooks change what a pool passes when it reads a hooked nonlinearity's output (see CaptumMaxPoolRule).
    private static BackwardPass CaptumPools(BackwardPass pass, double epsilon)
    {
        var rules = pass.Rules.ToArray();
        var nodes = pass.Graph.Nodes;
        for (int i = 0; i < rules.Length; i++)
            if (rules[i] is CaptumMaxPoolRule && nodes[i].Inputs[0] is > 0 and var v && rules[v - 1] is RescaleRule)
                rules[i] = new CaptumMaxPoolRule(epsilon, afterNonlinearity: true);
        return new BackwardPass(pass.Graph, rules);
    }

    /// <summary>Every value of the model's graph for a batch of pixels (index 0 the normalised input, last the output).</summary>
    public Tensor[] Trace(Tensor pixels) => _pass.Graph.Forward(_model.Preprocess(pixels));

    /// <summary>The pair rules' state for the pairs of two traces, reused across output classes.</summary>
    public PreparedSteps Prepare(Tensor[] x, Tensor[] r, bool aligned) => _pass.Prepare(x, r, aligned);

    /// <summary>
    /// Maps <paramref name="outputGradient"/> (1×K, shared by every pair, or P×K) back to the pixels: P×C×H×W multipliers.
    /// </summary>
    public Tensor Backward(PreparedSteps prepared, Tensor outputGradient)
    {
        var input = prepared.Steps.Count > 0 ? prepared.Steps[0].Input : outputGradient;
        long pairs = prepared.Steps.Count > 0 ? prepared.Steps[0].Pairs : outputGradient.shape[0];
        var g = PropagationMath.Expand(_pass.Backward(prepared, outputGradient), pairs, input.shape);
        if (_model.Info.Std is float[] std)
            g = g / torch.tensor(std, [1, std.Length, 1, 1], device: g.device);
        return g;
    }
}

using Glassbox.Attribution.Propagation;
using Glassbox.Tests.Attribution.Gradient;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Attribution.Propagation;

/// <summary>Every backward rule on a tiny layer whose result is worked out by hand.</summary>
public class BackwardRuleTests
{
    // z = W x + b with W = [[1, −1], [2, 1]], b = (0.5, −1); at x = (1, 2): z = (−0.5, 3).
    private static TorchSharp.Modules.Linear Dense(bool bias = true)
    {
        var lin = nn.Linear(2, 2, hasBias: bias);
        using (torch.no_grad())
        {
            lin.weight!.copy_(torch.tensor(new float[] { 1, -1, 2, 1 }, [2, 2]));
            if (bias) lin.bias!.copy_(torch.tensor(new float[] { 0.5f, -1 }));
        }
        return lin;
    }

    private static LayerStep Step(nn.Module<Tensor, Tensor> layer, params float[] x)
    {
        var input = torch.tensor(x, [1, x.Length]);
        using var noGrad = torch.no_grad();
        return new LayerStep(layer, [input], layer.forward(input));
    }

    private static float[] Run(IBackwardRule rule, LayerStep step, params float[] signal)
        => rule.Backward(step, torch.tensor(signal, [1, signal.Length]), rule.Prepare(step))[0].data<float>().ToArray();

    [Fact]
    public void Epsilon_RedistributesByContributionOverStabilisedOutput()
    {
        // ε = 0.5: z ± ε = (−1, 3.5), s = R / z = (−1, 4/7), Wᵀs = (1/7, 11/7), R = x ⊙ Wᵀs = (1/7, 22/7).
        GradientTestModels.Close([1f / 7, 22f / 7], Run(new EpsilonRule(0.5), Step(Dense(), 1, 2), 1, 2), 1e-6);
        // ε → 0: s = (−2, 2/3), Wᵀs = (−2/3, 8/3), R = (−2/3, 16/3).
        GradientTestModels.Close([-2f / 3, 16f / 3], Run(new EpsilonRule(0), Step(Dense(), 1, 2), 1, 2), 1e-5);
    }

    [Fact]
    public void Gamma_AddsGammaTimesThePositiveWeightsAndBias()
    {
        // γ = 0.5: W = [[1.5, −1], [3, 1.5]], b = (0.75, −1), z = (0.25, 5), s = (4, 0.4), Wᵀs = (7.2, −3.4), R = (7.2, −6.8).
        GradientTestModels.Close([7.2f, -6.8f], Run(new GammaRule(0.5), Step(Dense(), 1, 2), 1, 2), 1e-5);
    }

    [Fact]
    public void GeneralizedGamma_FavoursTheSideOfEachOutputsSign()
    {
        // γ = 0.5, z = (−0.5, 3). Unit 1 (z > 0): (W + γW⁺) row (3, 1.5), b + γb⁺ = −1: z = 5, s = 0.4, x ⊙ (1.2, 0.6) = (1.2, 1.2).
        // Unit 0 (z < 0): (W + γW⁻) row (1, −1.5), b + γb⁻ = 0.5: z = −1.5, s = −2/3, x ⊙ (−2/3, 1) = (−2/3, 2).
        GradientTestModels.Close([1.2f - 2f / 3, 3.2f], Run(new GeneralizedGammaRule(0.5), Step(Dense(), 1, 2), 1, 2), 1e-5);
    }

    [Fact]
    public void ZPlus_UsesOnlyPositiveContributionsWithoutBias()
    {
        // W⁺ = [[1, 0], [2, 1]], z = (1, 4), s = (1, 0.5), W⁺ᵀs = (2, 0.5), R = (2, 1).
        GradientTestModels.Close([2f, 1f], Run(new ZPlusRule(), Step(Dense(), 1, 2), 1, 2), 1e-6);
    }

    [Fact]
    public void AlphaBeta_WeighsPositiveAndNegativeParts()
    {
        // z⁺ = W⁺x + b⁺ = (1.5, 4), s⁺ = (2/3, 1/2), positive part x ⊙ W⁺ᵀs⁺ = (5/3, 1);
        // z⁻ = W⁻x + b⁻ = (−2, −1), s⁻ = (−1/2, −2), negative part x ⊙ W⁻ᵀs⁻ = (0, 1).
        GradientTestModels.Close([10f / 3, 1f], Run(new AlphaBetaRule(2, 1), Step(Dense(), 1, 2), 1, 2), 1e-6);
        GradientTestModels.Close([5f / 3, 1f], Run(new AlphaBetaRule(1, 0), Step(Dense(), 1, 2), 1, 2), 1e-6);
        // Negative inputs: x = (1, −2), a⁺ = (1, 0), a⁻ = (0, −2); z⁺ = W⁺a⁺ + W⁻a⁻ + b⁺ = (3.5, 2), R = (16/7, 4/7).
        GradientTestModels.Close([16f / 7, 4f / 7], Run(new AlphaBetaRule(1, 0), Step(Dense(), 1, -2), 1, 2), 1e-6);
        Assert.Contains("α − β = 1", Assert.Throws<GlassboxException>(() => new AlphaBetaRule(2, 0)).Message);
    }

    [Fact]
    public void Flat_SpreadsRelevanceEvenlyOverTheReceptiveField()
    {
        // Every output reads two inputs: s = R / 2 = (0.5, 1), R_in = 1ᵀs = (1.5, 1.5), whatever x is.
        GradientTestModels.Close([1.5f, 1.5f], Run(new FlatRule(), Step(Dense(), 1, 2), 1, 2), 1e-6);
        GradientTestModels.Close([1.5f, 1.5f], Run(new FlatRule(), Step(Dense(), -7, 3), 1, 2), 1e-6);
    }

    [Fact]
    public void WSquare_SpreadsRelevanceBySquaredWeights()
    {
        // W² = [[1, 1], [4, 1]], b² = (0.25, 1): z = (2.25, 6), s = (4/9, 1/3), W²ᵀs = (16/9, 7/9).
        GradientTestModels.Close([16f / 9, 7f / 9], Run(new WSquareRule(), Step(Dense(), 1, 2), 1, 2), 1e-6);
    }

    [Fact]
    public void ZBox_UsesTheInputBounds_AndConserves()
    {
        // l = (−1, 0), h = (2, 3): z = Wx − W⁺l − W⁻h = (3, 6), s = (1/3, 1/3);
        // R = x ⊙ Wᵀs − l ⊙ W⁺ᵀs − h ⊙ W⁻ᵀs = (1, 0) − (−1, 0) − (0, −1) = (2, 1), summing to ΣR_out = 3.
        var rule = new ZBoxRule(torch.tensor(new float[] { -1, 0 }, [1, 2]), torch.tensor(new float[] { 2, 3 }, [1, 2]));
        GradientTestModels.Close([2f, 1f], Run(rule, Step(Dense(), 1, 2), 1, 2), 1e-6);
    }

    [Fact]
    public void Rescale_MultipliersAreOutputOverInputDifferences_OrTheDerivative()
    {
        // ReLU, x = (−1, 2, −1), r = (1, 0, −1): (0 − 1)/(−2) = 0.5, (2 − 0)/2 = 1, x = r → relu′(−1) = 0.
        var relu = nn.ReLU();
        var x = torch.tensor(new float[] { -1, 2, -1 }, [1, 3]);
        var r = torch.tensor(new float[] { 1, 0, -1 }, [1, 3]);
        var step = new LayerStep(relu, [x], relu.forward(x), [r], relu.forward(r));
        var rule = new RescaleRule(1e-10);
        GradientTestModels.Close([0.5f, 1f, 0f], Run(rule, step, 1, 1, 1), 1e-7);
        GradientTestModels.Close([1f, -2f, 0f], Run(rule, step, 2, -2, 5), 1e-7);
        // Crossed pairs: 2 inputs × 2 references = 4 rows, pair i·B + b.
        var x2 = torch.tensor(new float[] { -1, 2, -1, 3, 3, 3 }, [2, 3]);
        var r2 = torch.tensor(new float[] { 1, 0, -1, 0, 0, 0 }, [2, 3]);
        var cross = new LayerStep(relu, [x2], relu.forward(x2), [r2], relu.forward(r2), aligned: false);
        var m = (Tensor)rule.Prepare(cross)!;
        Assert.Equal([4L, 3L], m.shape);
        GradientTestModels.Close([0.5f, 1f, 0f, 0f, 1f, 0f, 1f, 1f, 0.75f, 1f, 1f, 1f], m.data<float>().ToArray(), 1e-7);
    }

    [Fact]
    public void CrossMax_CreditsBothWinners_AndIsExact()
    {
        // x = [[1, 3], [2, 0]] (max 3 at 1), r = [[4, 0], [0, 1]] (max 4 at 0): cross = 4, y − cross = −1 goes to r's
        // winner; Δx there is −3, so m = (1/3, 0, 0, 0) and m·Δx = −1 = y − y_r.
        var pool = nn.MaxPool2d(2);
        var x = torch.tensor(new float[] { 1, 3, 2, 0 }, [1, 1, 2, 2]);
        var r = torch.tensor(new float[] { 4, 0, 0, 1 }, [1, 1, 2, 2]);
        var step = new LayerStep(pool, [x], pool.forward(x), [r], pool.forward(r));
        var m = new CrossMaxRule().Backward(step, torch.ones(1, 1, 1, 1), null)[0];
        GradientTestModels.Close([1f / 3, 0f, 0f, 0f], m.data<float>().ToArray(), 1e-6);
    }

    [Fact]
    public void SoftmaxPath_MapsLogitDifferencesToProbabilityDifferences()
    {
        var softmax = nn.Softmax(1);
        var x = torch.tensor(new float[] { 2, -1, 0.5f }, [1, 3]);
        var r = torch.tensor(new float[] { -1, 1, 0 }, [1, 3]);
        var step = new LayerStep(softmax, [x], softmax.forward(x), [r], softmax.forward(r));
        var rule = new SoftmaxPathRule();
        var dp = (softmax.forward(x) - softmax.forward(r)).data<float>().ToArray();
        for (int c = 0; c < 3; c++)
        {
            var oneHot = torch.zeros(1, 3);
            oneHot[0, c] = 1;
            var m = rule.Backward(step, oneHot, rule.Prepare(step))[0];
            Assert.Equal(dp[c], (m * (x - r)).sum().item<float>(), 1e-5);
        }
    }

    [Fact]
    public void GuidedAndDeconvolution_RewriteTheReluGradient()
    {
        // x = (−1, 2, 3), g = (1, −1, 2): guided = relu(g ⊙ [x > 0]) = (0, 0, 2); deconvolution = relu(g) = (1, 0, 2).
        var step = Step(nn.ReLU(), -1, 2, 3);
        GradientTestModels.Close([0f, 0f, 2f], Run(new GuidedReluRule(), step, 1, -1, 2), 0);
        GradientTestModels.Close([1f, 0f, 2f], Run(new DeconvReluRule(), step, 1, -1, 2), 0);
        GradientTestModels.Close([0f, -1f, 2f], Run(new GradientRule(), step, 1, -1, 2), 0);
        GradientTestModels.Close([1f, -1f, 2f], Run(new PassRule(), step, 1, -1, 2), 0);
    }

    public static TheoryData<string> Layers => new() { "conv", "linear", "maxpool", "avgpool", "batchnorm", "softmax", "sigmoid", "tanh", "elu" };

    [Theory]
    [MemberData(nameof(Layers))]
    public void Gradient_ClosedForms_EqualAutograd(string kind)
    {
        torch.manual_seed(7);
        nn.Module<Tensor, Tensor> layer;
        Tensor x;
        switch (kind)
        {
            case "conv": layer = nn.Conv2d(2, 3, 3, stride: 2, padding: 1); x = torch.randn(2, 2, 7, 7); break;
            case "linear": layer = nn.Linear(5, 4); x = torch.randn(3, 5); break;
            case "maxpool": layer = nn.MaxPool2d(3, stride: 2); x = torch.randn(2, 2, 7, 7); break;
            case "avgpool": layer = nn.AvgPool2d(2); x = torch.randn(2, 2, 6, 6); break;
            case "batchnorm":
                var bn = nn.BatchNorm2d(2);
                using (torch.no_grad())
                {
                    bn.running_var!.copy_(torch.tensor(new[] { 0.5f, 2f }));
                    bn.weight!.copy_(torch.tensor(new[] { -1.5f, 0.7f }));
                }
                bn.eval();
                layer = bn; x = torch.randn(2, 2, 3, 3); break;
            case "softmax": layer = nn.Softmax(1); x = torch.randn(3, 5); break;
            case "sigmoid": layer = nn.Sigmoid(); x = torch.randn(3, 5); break;
            case "tanh": layer = nn.Tanh(); x = torch.randn(3, 5); break;
            default: layer = nn.ELU(); x = torch.randn(3, 5); break;
        }
        Tensor y;
        using (torch.no_grad()) y = layer.forward(x);
        var g = torch.randn(y.shape);
        var expected = Autograd(layer, x, g);
        var actual = GradientRule.Apply(new LayerStep(layer, [x], y), g);
        Assert.Equal(x.shape, actual.shape);
        GradientTestModels.Close(expected.data<float>().ToArray(), actual.data<float>().ToArray(), 1e-5);
    }

    private static Tensor Autograd(nn.Module<Tensor, Tensor> layer, Tensor x, Tensor g)
    {
        var z = x.detach().requires_grad_(true);
        return torch.autograd.grad([layer.forward(z)], [z], [g])[0].detach();
    }
}

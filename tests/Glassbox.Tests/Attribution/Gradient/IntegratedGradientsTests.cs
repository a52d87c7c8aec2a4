using Glassbox.Attribution;
using Glassbox.Attribution.Approximation;
using Glassbox.Attribution.Gradient;
using TorchSharp;
using static Glassbox.Tests.Attribution.Gradient.GradientTestModels;

namespace Glassbox.Tests.Attribution.Gradient;

public class IntegratedGradientsTests
{
    public static TheoryData<IntegrationMethod, int> MethodsAndSteps()
    {
        var data = new TheoryData<IntegrationMethod, int>();
        foreach (var m in Enum.GetValues<IntegrationMethod>())
            foreach (int steps in new[] { 2, 7, 50 }) data.Add(m, steps);
        data.Add(IntegrationMethod.GaussLegendre, 1);
        return data;
    }

    [Theory]
    [MemberData(nameof(MethodsAndSteps))]
    public void IntegratedGradients_OnLinearModel_IsInputMinusBaselineTimesWeight(IntegrationMethod method, int steps)
    {
        using var model = Linear(7, 1, 3, 3, 3, out var w);
        var x = torch.rand(4, 1, 3, 3);
        var b = torch.rand(4, 1, 3, 3);
        var ig = new IntegratedGradients(model, new IntegratedGradientsOptions(steps, method, InternalBatchSize: 5, Baselines: Baseline.FromImages(b)));
        var e = ig.Attribute(x, TargetSelection.AllClasses);
        // Captum's trapezoid weights sum to (n−1)/n (step 1/n, halved ends), so it recovers that fraction.
        double scale = method == IntegrationMethod.RiemannTrapezoid ? (steps - 1) / (double)steps : 1.0;
        Close(Times((x - b).reshape(4, 9) * scale, w), e.Values, 1e-5);
        Assert.False(e.AdditivityGuaranteed);
        var fx = model.Forward(x).detach().data<float>().ToArray();
        var fb = model.Forward(b).detach().data<float>().ToArray();
        for (int i = 0; i < 12; i++)
        {
            Assert.Equal(fx[i], e.Outputs[i], 1e-5);
            Assert.Equal(fb[i], e.BaseValues[i], 1e-5);
            double expectedDelta = (scale - 1) * (fx[i] - fb[i]);
            Assert.Equal(expectedDelta, e.Delta(i), 1e-4);
            Assert.Equal(Math.Abs(expectedDelta), e.AdditivityErrors![i], 1e-4);
        }
    }

    [Fact]
    public void IntegratedGradients_DeltaShrinks_AsStepsGrow()
    {
        using var model = Relu(11);
        var x = torch.rand(3, 1, 4, 4);
        double Delta(int steps) => new IntegratedGradients(model, new IntegratedGradientsOptions(steps))
            .Attribute(x, TargetSelection.AllClasses).MaxAdditivityError;
        double d5 = Delta(5), d50 = Delta(50), d300 = Delta(300);
        Assert.True(d5 > d50 && d50 > d300, $"deltas {d5}, {d50}, {d300}");
        Assert.True(d300 < 1e-3, $"delta at 300 steps {d300}");
    }

    [Fact]
    public void IntegratedGradients_OnProbabilities_IsNearlyComplete()
    {
        using var model = Tanh(12);
        var x = torch.rand(2, 1, 4, 4);
        var e = new IntegratedGradients(model, new IntegratedGradientsOptions(Output: OutputSpace.Probabilities))
            .Attribute(x, TargetSelection.AllClasses);
        Assert.True(e.MaxAdditivityError < 1e-5, $"delta {e.MaxAdditivityError}");
        for (int n = 0; n < 2; n++) Assert.Equal(1.0, e.Outputs.Skip(n * 3).Take(3).Sum(), 1e-5);
    }

    [Fact]
    public void IntegratedGradients_DoesNotDependOnInternalBatchSize()
    {
        using var model = Relu(13);
        var x = torch.rand(3, 1, 4, 4);
        var a = new IntegratedGradients(model, new IntegratedGradientsOptions(20, IntegrationMethod.RiemannMiddle, InternalBatchSize: 7))
            .Attribute(x, TargetSelection.PerInput(0, 2, 1));
        var b = new IntegratedGradients(model, new IntegratedGradientsOptions(20, IntegrationMethod.RiemannMiddle, InternalBatchSize: 60))
            .Attribute(x, TargetSelection.PerInput(0, 2, 1));
        Close(a.Values, b.Values, 1e-6);
    }

    [Fact]
    public void GaussLegendre_MatchesHandComputedNodes()
    {
        var (a2, w2) = IntegrationMethod.GaussLegendre.Points(2);
        Assert.Equal(0.5 - 0.5 / Math.Sqrt(3), a2[0], 1e-12);
        Assert.Equal(0.5 + 0.5 / Math.Sqrt(3), a2[1], 1e-12);
        Assert.Equal(0.5, w2[0], 1e-12);
        Assert.Equal(0.5, w2[1], 1e-12);
        var (a3, w3) = IntegrationMethod.GaussLegendre.Points(3);
        Assert.Equal(new[] { 0.5 * (1 - Math.Sqrt(0.6)), 0.5, 0.5 * (1 + Math.Sqrt(0.6)) }, a3, new Tolerance(1e-12));
        Assert.Equal(new[] { 5 / 18.0, 8 / 18.0, 5 / 18.0 }, w3, new Tolerance(1e-12));
    }

    [Theory]
    [InlineData("riemann_left", new[] { 0, 0.25, 0.5, 0.75 }, new[] { 0.25, 0.25, 0.25, 0.25 })]
    [InlineData("riemann_right", new[] { 0.25, 0.5, 0.75, 1 }, new[] { 0.25, 0.25, 0.25, 0.25 })]
    [InlineData("riemann_middle", new[] { 0.125, 0.375, 0.625, 0.875 }, new[] { 0.25, 0.25, 0.25, 0.25 })]
    [InlineData("riemann_trapezoid", new[] { 0, 1 / 3.0, 2 / 3.0, 1 }, new[] { 0.125, 0.25, 0.25, 0.125 })]
    public void Riemann_MatchesCaptumDefinitions(string name, double[] alphas, double[] weights)
    {
        var (a, w) = IntegrationMethods.Parse(name).Points(4);
        Assert.Equal(alphas, a, new Tolerance(1e-12));
        Assert.Equal(weights, w, new Tolerance(1e-12));
    }

    [Fact]
    public void IntegrationMethod_BadNamesAndSteps_AreRefused()
    {
        Assert.Throws<GlassboxException>(() => IntegrationMethods.Parse("simpson"));
        Assert.Equal(IntegrationMethod.RiemannTrapezoid, IntegrationMethods.Parse("Riemann-Trapezoid"));
        Assert.Throws<GlassboxException>(() => IntegrationMethod.RiemannLeft.Points(1));
        using var model = Relu(1);
        Assert.Throws<GlassboxException>(() => new IntegratedGradients(model, new IntegratedGradientsOptions(0)));
        Assert.Throws<GlassboxException>(() => new IntegratedGradients(model, new IntegratedGradientsOptions(1, IntegrationMethod.RiemannRight)));
        Assert.Throws<GlassboxException>(() => new IntegratedGradients(model, new IntegratedGradientsOptions(InternalBatchSize: 0)));
    }

    private sealed class Tolerance(double eps) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= eps;
        public int GetHashCode(double v) => 0;
    }
}

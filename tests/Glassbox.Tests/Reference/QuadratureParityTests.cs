using Glassbox.Attribution.Approximation;
using Xunit.Abstractions;
using static Glassbox.Tests.Reference.ReferenceData;

namespace Glassbox.Tests.Reference;

/// <summary>
/// Glassbox's path-integral points against Captum's <c>approximation_parameters(method)</c> for 50 steps
/// (captum_ig_quadrature_METHOD.npy: row 0 alphas, row 1 step sizes). Captum's Riemann alphas come from a float32
/// <c>torch.linspace</c>, so they agree to float32 rounding; the step sizes are Python floats and agree exactly.
/// </summary>
public class QuadratureParityTests(ITestOutputHelper log)
{
    [Theory]
    [InlineData(IntegrationMethod.GaussLegendre)]
    [InlineData(IntegrationMethod.RiemannLeft)]
    [InlineData(IntegrationMethod.RiemannRight)]
    [InlineData(IntegrationMethod.RiemannMiddle)]
    [InlineData(IntegrationMethod.RiemannTrapezoid)]
    public void Points_MatchCaptumApproximationParameters(IntegrationMethod method)
    {
        var q = Doubles(null, "captum_ig_quadrature_" + method.ToName());
        var (alphas, weights) = method.Points(50);
        double alphaErr = 0, weightErr = 0, float32Err = 0;
        for (int i = 0; i < 50; i++)
        {
            alphaErr = Math.Max(alphaErr, Math.Abs(alphas[i] - q[i]));
            float32Err = Math.Max(float32Err, Math.Abs((float)alphas[i] - (float)q[i]));
            weightErr = Math.Max(weightErr, Math.Abs(weights[i] - q[50 + i]));
        }
        log.WriteLine($"PARITY quadrature {method.ToName()}: max |Δα| {alphaErr:E2} (in float32 {float32Err:E2}), max |Δw| {weightErr:E2}, Σw {weights.Sum():R} (Captum {q.Skip(50).Sum():R})");
        Assert.True(alphaErr <= 1e-7, $"alphas differ by {alphaErr:E2}");
        Assert.True(float32Err <= 6e-8, $"alphas differ by more than one float32 ulp: {float32Err:E2}");
        Assert.True(weightErr <= 1e-14, $"step sizes differ by {weightErr:E2}");
        Assert.Equal(q.Skip(50).Sum(), weights.Sum(), 12);
    }

    /// <summary>Captum's trapezoid keeps the step 1/n and halves both ends, so its step sizes sum to (n−1)/n = 0.98.</summary>
    [Fact]
    public void CaptumTrapezoid_StepSizesSumTo_NMinusOneOverN()
    {
        var q = Doubles(null, "captum_ig_quadrature_riemann_trapezoid");
        Assert.Equal(0.98, q.Skip(50).Sum(), 12);
        Assert.Equal(0.98, IntegrationMethod.RiemannTrapezoid.Points(50).Weights.Sum(), 12);
    }
}

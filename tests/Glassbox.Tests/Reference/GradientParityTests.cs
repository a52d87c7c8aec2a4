using Glassbox.Attribution;
using Glassbox.Attribution.Approximation;
using Glassbox.Attribution.Common;
using Glassbox.Attribution.Gradient;
using TorchSharp;
using Xunit.Abstractions;
using static Glassbox.Tests.Reference.ReferenceData;
using static TorchSharp.torch;

namespace Glassbox.Tests.Reference;

/// <summary>
/// Gradient-family attributions against Captum 0.7.0 on the TorchScript fixtures (the model object Captum used), at
/// ≤ 1e-5 relative L2 for deterministic methods; random methods are replayed with Captum's recorded draws.
/// </summary>
public class GradientParityTests(ITestOutputHelper log)
{
    [Theory]
    [InlineData("small_cnn")]
    [InlineData("mixed_cnn")]
    public void Saliency_MatchesCaptum(string model)
    {
        using var m = Script(model);
        var e = new Saliency(m, new SaliencyOptions(Abs: true)).Attribute(Inputs(), TargetSelectionFromFile());
        AssertRelativeL2(log, $"{model} saliency", e.Values, Floats(model, "captum_saliency"));
    }

    [Theory]
    [InlineData("small_cnn")]
    [InlineData("mixed_cnn")]
    public void InputXGradient_MatchesCaptum(string model)
    {
        using var m = Script(model);
        var e = new InputXGradient(m, new InputXGradientOptions()).Attribute(Inputs(), TargetSelectionFromFile());
        AssertRelativeL2(log, $"{model} input_x_gradient", e.Values, Floats(model, "captum_input_x_gradient"));
    }

    /// <summary>IG with a zero baseline and 50 steps; the convergence delta Σφ − (f(x) − f(0)) is compared too.</summary>
    [Theory]
    [InlineData("small_cnn", IntegrationMethod.GaussLegendre)]
    [InlineData("small_cnn", IntegrationMethod.RiemannLeft)]
    [InlineData("small_cnn", IntegrationMethod.RiemannRight)]
    [InlineData("small_cnn", IntegrationMethod.RiemannMiddle)]
    [InlineData("small_cnn", IntegrationMethod.RiemannTrapezoid)]
    [InlineData("mixed_cnn", IntegrationMethod.GaussLegendre)]
    [InlineData("mixed_cnn", IntegrationMethod.RiemannLeft)]
    [InlineData("mixed_cnn", IntegrationMethod.RiemannRight)]
    [InlineData("mixed_cnn", IntegrationMethod.RiemannMiddle)]
    [InlineData("mixed_cnn", IntegrationMethod.RiemannTrapezoid)]
    public void IntegratedGradients_MatchesCaptum_WithDelta(string model, IntegrationMethod method)
    {
        using var m = Script(model);
        string name = method.ToName();
        var e = new IntegratedGradients(m, new IntegratedGradientsOptions(NSteps: 50, Method: method, Baselines: Baseline.Zeros))
            .Attribute(Inputs(), TargetSelectionFromFile());
        AssertRelativeL2(log, $"{model} ig_{name}", e.Values, Floats(model, "captum_ig_" + name));

        var captumDelta = Doubles(model, $"captum_ig_{name}_delta");
        var delta = Enumerable.Range(0, e.Count).Select(e.Delta).ToArray();
        double abs = MaxAbs(delta, captumDelta);
        double rel = RelativeL2(delta, captumDelta);
        log.WriteLine($"PARITY {model} ig_{name}_delta: relative L2 {rel:E2}, max |difference| {abs:E2}, max |Captum delta| {captumDelta.Max(Math.Abs):E2}");
        // The deltas are float32 sums of ~64 terms minus a difference of logits: compare at 1e-5 of the logit scale.
        double scale = Math.Max(1, e.Outputs.Max(Math.Abs));
        Assert.True(abs <= Tolerance * scale, $"{model} ig_{name} delta: max |difference| {abs:E2}");
    }

    /// <summary>
    /// SmoothGrad replayed: Glassbox's saliency at Captum's recorded noisy inputs (row i·10+s = x_i + noise), averaged
    /// over the 10 copies of each input, equals Captum's NoiseTunnel(Saliency) result.
    /// </summary>
    [Theory]
    [InlineData("small_cnn")]
    [InlineData("mixed_cnn")]
    public void SmoothGrad_ReplayedNoisyInputs_MatchCaptum(string model)
    {
        using var m = Script(model);
        var noisy = Tensor(model, "captum_smoothgrad_saliency_replay_noisy_inputs");
        var targets = Targets();
        var perRow = Enumerable.Range(0, (int)noisy.shape[0]).Select(r => targets[r / 10]).ToArray();
        var e = new Saliency(m, new SaliencyOptions(Abs: true)).Attribute(noisy, TargetSelection.PerInput(perRow));
        AssertRelativeL2(log, $"{model} smoothgrad (replayed noise)", GroupMean(e.Values, 10, 64), Floats(model, "captum_smoothgrad_saliency"));
    }

    /// <summary>
    /// Glassbox's own NoiseTunnel with seed 0 draws its noise from a torch CPU generator seeded 0, per input S×C×H×W in
    /// order, which is exactly the stream <c>torch.manual_seed(0); torch.normal(0, 0.1, (N·10, 1, 8, 8))</c> gave Captum:
    /// the whole method (noise included) therefore matches Captum's SmoothGrad, not just within the sampling spread.
    /// </summary>
    [Theory]
    [InlineData("small_cnn")]
    [InlineData("mixed_cnn")]
    public void SmoothGrad_NoiseTunnelSeed0_MatchesCaptum(string model)
    {
        using var m = Script(model);
        var e = new NoiseTunnel(new Saliency(m, new SaliencyOptions(Abs: true)),
                new NoiseTunnelOptions(NoiseTunnelType.SmoothGrad, Samples: 10, Stdevs: 0.1, Seed: 0))
            .Attribute(Inputs(), TargetSelectionFromFile());
        AssertRelativeL2(log, $"{model} smoothgrad (NoiseTunnel, seed 0)", e.Values, Floats(model, "captum_smoothgrad_saliency"));
    }

    /// <summary>
    /// GradientSHAP has no hook for given draws, so its definition is evaluated with Glassbox's gradient primitive at
    /// Captum's recorded draws (row i·20+s: background index b_s, α_s): mean_s (x_i − r_s) ⊙ ∇f(r_s + α_s (x_i − r_s)).
    /// </summary>
    [Theory]
    [InlineData("small_cnn")]
    [InlineData("mixed_cnn")]
    public void GradientShap_DefinitionWithRecordedDraws_MatchesCaptum(string model)
    {
        using var m = Script(model);
        var replay = GradientShapReplay(m, model);
        AssertRelativeL2(log, $"{model} gradientshap (replayed draws)", GroupMean(replay, 20, 64), Floats(model, "captum_gradientshap_bg"));
    }

    /// <summary>
    /// Glassbox's GradientShap (its own draws, seed 0, 20 samples) lies within three times the expected distance of
    /// two independent 20-sample means of Captum's estimator, the per-pixel variance taken from the replayed terms.
    /// </summary>
    [Theory]
    [InlineData("small_cnn")]
    [InlineData("mixed_cnn")]
    public void GradientShap_OwnDraws_AreWithinTheSamplingSpreadOfCaptum(string model)
    {
        using var m = Script(model);
        var terms = GradientShapReplay(m, model);
        var mean = GroupMean(terms, 20, 64);
        double variance = 0;
        for (int i = 0; i < terms.Length; i++)
        {
            double d = terms[i] - mean[(i / 1280) * 64 + i % 64];
            variance += d * d / 19;
        }
        double spread = Math.Sqrt(2 * variance / 20);
        var captum = Floats(model, "captum_gradientshap_bg");
        var e = new GradientShap(m, Baseline.FromImages(Background()), new GradientShapOptions(NSamples: 20, Stdevs: 0, Seed: 0))
            .Attribute(Inputs(), TargetSelectionFromFile());
        double dist = Math.Sqrt(e.Values.Zip(captum, (a, b) => ((double)a - b) * ((double)a - b)).Sum());
        double norm = Math.Sqrt(captum.Sum(v => (double)v * v));
        log.WriteLine($"PARITY {model} gradientshap (own draws): relative L2 {dist / norm:E2}, expected spread {spread / norm:E2}");
        Assert.True(dist <= 3 * spread, $"distance {dist:E3} > 3 × spread {spread:E3}");
    }

    // The 100 per-sample terms (x_i − r) ⊙ ∇f(r + α(x_i − r)) at Captum's recorded draws, row i·20+s.
    private static float[] GradientShapReplay(Glassbox.Models.IImageModel m, string model)
    {
        using var scope = torch.NewDisposeScope();
        var x = Inputs();
        var background = Background();
        var idx = Longs(model, "captum_gradientshap_bg_replay_baseline_idx");
        var alpha = Floats(model, "captum_gradientshap_bg_replay_alpha");
        Assert.Equal(100, idx.Length);
        var owner = torch.tensor(Enumerable.Range(0, 100).Select(r => (long)(r / 20)).ToArray());
        var xs = x.index_select(0, owner);
        var r = background.index_select(0, torch.tensor(idx));
        var a = torch.tensor(alpha).view(-1, 1, 1, 1);
        var points = a * xs + (1 - a) * r;
        var targets = Targets();
        var classes = Enumerable.Range(0, 100).Select(i => (long)targets[i / 20]).ToArray();
        var (g, _) = TargetGradients.Compute(m, points, classes, 100);
        return (g * (xs - r)).contiguous().data<float>().ToArray();
    }
}

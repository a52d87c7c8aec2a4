using Glassbox.Attribution;
using Glassbox.Attribution.Perturbation;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Attribution.Perturbation;

public class OcclusionTests
{
    [Fact]
    public void Occlusion_WithUnitWindow_OnLinearModel_EqualsWeightsTimesInputMinusBaseline()
    {
        var (w, bias) = TestModels.RandomLinear(2 * 3 * 4, 3, seed: 1);
        using var model = TestModels.Linear(2, 3, 4, w, bias);
        torch.manual_seed(2);
        var x = torch.rand(3, 2, 3, 4);
        var b = torch.rand(3, 2, 3, 4);
        var occ = new Occlusion(model, new OcclusionOptions([1, 1, 1], Baselines: Baseline.FromImages(b)));
        var e = occ.Attribute(x, TargetSelection.AllClasses);

        Assert.Equal(new[] { 3, 3, 2, 3, 4 }, e.Shape);
        var xv = x.data<float>().ToArray();
        var bv = b.data<float>().ToArray();
        for (int n = 0; n < 3; n++)
            for (int k = 0; k < 3; k++)
            {
                var map = e.Map(n, k);
                for (int el = 0; el < 24; el++)
                    Assert.Equal(w[k, el] * (xv[n * 24 + el] - bv[n * 24 + el]), map[el], 1e-5);
            }
        Assert.Null(e.AdditivityErrors);
        Assert.False(e.AdditivityGuaranteed);
    }

    [Fact]
    public void Occlusion_PositionCount_IsCeilOfRoomOverStridePlusOne()
    {
        // 5 wide, window 2, stride 2: (5 − 2)/2 = 1.5 → 2, + 1 = 3 positions: {0,1}, {2,3}, {4} (the last cut at the edge).
        var (_, _, p) = Occlusion.Geometry([2, 2], [2, 2], 1, 5, 5);
        Assert.Equal(new[] { 1, 3, 3 }, p);
        (_, _, p) = Occlusion.Geometry([3, 2, 2], [1], 3, 7, 6);
        Assert.Equal(new[] { 1, 6, 5 }, p);
        (_, _, p) = Occlusion.Geometry([1, 3, 3], [1, 2, 2], 3, 28, 28);
        Assert.Equal(new[] { 3, 14, 14 }, p);
        (_, _, p) = Occlusion.Geometry([4, 4], [2], 1, 28, 28);
        Assert.Equal(new[] { 1, 13, 13 }, p);
    }

    [Fact]
    public void Occlusion_WithStridedWindow_AveragesTheWindowsCoveringEachElement()
    {
        // One row of 5 pixels, b = 0, contributions c_e = w_e x_e. Window 2, stride 2 → windows {0,1}, {2,3}, {4}.
        double[] wt = [1, -2, 0.5, 3, -1];
        float[] xs = [0.5f, 0.25f, 1f, 0.75f, 0.5f];
        using var model = TestModels.Linear(1, 1, 5, new double[,] { { wt[0], wt[1], wt[2], wt[3], wt[4] }, { 0, 0, 0, 0, 0 } }, [0.1, 0]);
        var c = Enumerable.Range(0, 5).Select(i => wt[i] * xs[i]).ToArray();
        var x = torch.tensor(xs, [1, 1, 1, 5]);

        var strided = new Occlusion(model, new OcclusionOptions([1, 2], [1, 2])).Attribute(x, TargetSelection.Classes(0));
        double[] expected = [c[0] + c[1], c[0] + c[1], c[2] + c[3], c[2] + c[3], c[4]];
        for (int i = 0; i < 5; i++) Assert.Equal(expected[i], strided.Values[i], 1e-6);

        // Stride 1 → windows {0,1}, {1,2}, {2,3}, {3,4}; inner elements average two windows.
        var overlapping = new Occlusion(model, new OcclusionOptions([1, 2], [1])).Attribute(x, TargetSelection.Classes(0));
        double[] s = [c[0] + c[1], c[1] + c[2], c[2] + c[3], c[3] + c[4]];
        expected = [s[0], (s[0] + s[1]) / 2, (s[1] + s[2]) / 2, (s[2] + s[3]) / 2, s[3]];
        for (int i = 0; i < 5; i++) Assert.Equal(expected[i], overlapping.Values[i], 1e-6);

        Assert.Equal(0.1 + c.Sum(), strided.Outputs[0], 1e-6);
        Assert.Equal(0.1, strided.BaseValues[0], 1e-6);
    }

    [Fact]
    public void Occlusion_OnLinearModel_MatchesTheAverageFormulaFor2DWindows()
    {
        var (w, bias) = TestModels.RandomLinear(7 * 6, 2, seed: 5);
        using var model = TestModels.Linear(1, 7, 6, w, bias);
        torch.manual_seed(6);
        var x = torch.rand(2, 1, 7, 6);
        var e = new Occlusion(model, new OcclusionOptions([3, 2], [2, 2])).Attribute(x, TargetSelection.AllClasses);
        var xv = x.data<float>().ToArray();
        // Independent enumeration of window starts 0, s, 2s, ... up to (and past, when cut) the last full position.
        var starts = (int dim, int win, int stride) =>
        {
            var list = new List<int>();
            for (int st = 0; ; st += stride) { list.Add(st); if (st + win >= dim) break; }
            return list;
        };
        for (int n = 0; n < 2; n++)
            for (int k = 0; k < 2; k++)
            {
                var sum = new double[42];
                var count = new int[42];
                foreach (int y0 in starts(7, 3, 2))
                    foreach (int x0 in starts(6, 2, 2))
                    {
                        var cells = new List<int>();
                        for (int y = y0; y < Math.Min(7, y0 + 3); y++)
                            for (int xx = x0; xx < Math.Min(6, x0 + 2); xx++) cells.Add(y * 6 + xx);
                        double drop = cells.Sum(el => w[k, el] * xv[n * 42 + el]);
                        foreach (int el in cells) { sum[el] += drop; count[el]++; }
                    }
                var map = e.Map(n, k);
                for (int el = 0; el < 42; el++) Assert.Equal(sum[el] / count[el], map[el], 1e-5);
            }
    }

    [Fact]
    public void Occlusion_IsTheSameForAnyPerturbationsPerEval_AndBatchesForwards()
    {
        torch.manual_seed(7);
        using var model = new FunctionModel(TestModels.Info(1, 8, 8, 3), x =>
        {
            var f = x.reshape(x.shape[0], 64);
            return torch.stack([f.pow(2).sum(1), f.narrow(1, 0, 32).sum(1).tanh(), f.max(1).values], 1);
        });
        var x = torch.rand(3, 1, 8, 8);
        var one = new Occlusion(model, new OcclusionOptions([3, 3], [2], PerturbationsPerEval: 1)).Attribute(x, TargetSelection.AllClasses);
        int callsOne = model.Calls;
        var many = new Occlusion(model, new OcclusionOptions([3, 3], [2], PerturbationsPerEval: 50)).Attribute(x, TargetSelection.AllClasses);
        int callsMany = model.Calls - callsOne;
        Assert.Equal(one.Values, many.Values);
        // 16 windows × 3 inputs: 16 forwards of 3 with ppe 1, one forward of 48 with ppe 50 (+ f(x) and f(b) each time).
        Assert.Equal(16 + 2, callsOne);
        Assert.Equal(1 + 2, callsMany);
    }

    [Fact]
    public void Occlusion_RunsOnOpaqueModels_AndSelectsPerInputTargets()
    {
        using var model = new FunctionModel(TestModels.Info(3, 6, 6, 4), x => x.reshape(x.shape[0], 4, 27).sum(2).pow(2));
        torch.manual_seed(8);
        var x = torch.rand(2, 3, 6, 6);
        var e = new Occlusion(model, new OcclusionOptions([2, 2])).Attribute(x, TargetSelection.PerInput(3, 1));
        Assert.Equal(new[] { 2, 1, 3, 6, 6 }, e.Shape);
        Assert.Equal(new[] { 3, 1 }, e.Targets);
        var fx = model.Forward(x).to_type(ScalarType.Float64).data<double>().ToArray();
        Assert.Equal(fx[3], e.Outputs[0], 1e-6);
        Assert.Equal(fx[4 + 1], e.Outputs[1], 1e-6);
        Assert.Equal(0, e.BaseValues[0], 1e-9);
        Assert.True(e.Values.Max(Math.Abs) > 0);
    }

    [Fact]
    public void Occlusion_RejectsBadOptionsAndInputs()
    {
        using var model = TestModels.Linear(1, 4, 4, new double[2, 16], [0, 0]);
        Assert.Throws<GlassboxException>(() => new Occlusion(model, new OcclusionOptions([5, 2])));
        Assert.Throws<GlassboxException>(() => new Occlusion(model, new OcclusionOptions([2, 2, 2])));
        Assert.Throws<GlassboxException>(() => new Occlusion(model, new OcclusionOptions([2, 2], [0])));
        Assert.Throws<GlassboxException>(() => new Occlusion(model, new OcclusionOptions([2, 2], [3, 3])));
        Assert.Throws<GlassboxException>(() => new Occlusion(model, new OcclusionOptions([0, 2])));
        Assert.Throws<GlassboxException>(() => new Occlusion(model, new OcclusionOptions([2, 2], [1, 1, 1, 1])));
        Assert.Throws<GlassboxException>(() => new Occlusion(model, new OcclusionOptions([2, 2], PerturbationsPerEval: 0)));
        var occ = new Occlusion(model, new OcclusionOptions([2, 2]));
        var nan = torch.zeros(1, 1, 4, 4);
        nan[0, 0, 1, 1] = torch.tensor(float.NaN);
        Assert.Throws<GlassboxException>(() => occ.Attribute(nan, TargetSelection.AllClasses));
        Assert.Throws<GlassboxException>(() => occ.Attribute(torch.zeros(1, 1, 5, 4), TargetSelection.AllClasses));
        Assert.Throws<GlassboxException>(() => occ.Attribute(torch.zeros(1, 1, 4, 4), TargetSelection.Classes(2)));
    }

    [Fact]
    public void Occlusion_HonoursCancellation_AndReportsProgress()
    {
        using var model = TestModels.Linear(1, 4, 4, new double[2, 16], [0, 0]);
        var occ = new Occlusion(model, new OcclusionOptions([1, 1], PerturbationsPerEval: 1));
        var reports = new List<(int, int)>();
        occ.Attribute(torch.rand(2, 1, 4, 4), TargetSelection.AllClasses, new SyncProgress(reports));
        Assert.Equal(16, reports.Count);
        Assert.Equal((32, 32), reports[^1]);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => occ.Attribute(torch.rand(1, 1, 4, 4), TargetSelection.AllClasses, cancel: cts.Token));
    }
}

internal sealed class SyncProgress(List<(int, int)> reports) : IProgress<(int Done, int Total)>
{
    public void Report((int Done, int Total) value) => reports.Add(value);
}

using Glassbox.Attribution.Shapley;
using Glassbox.Attribution.Surrogates;

namespace Glassbox.Tests.Attribution.Shapley;

/// <summary>
/// SHAP's l1_reg selection against scikit-learn 1.2.1 (the version of the shared reference data): the expected sets
/// were computed from the same augmented designs with <c>lars_path(X, y, max_iter=k)[1]</c>,
/// <c>make_pipeline(StandardScaler(with_mean=False), LassoLarsIC(criterion))</c> and <c>Lasso(alpha=0.001)</c>.
/// </summary>
public class KernelShapSelectionParityTests
{
    // Case c: M features, a budget, a near-sparse linear game with one interaction and a little noise.
    private static (CoalitionSample Set, double[] Ey, double Total, int M) Case(int c)
    {
        int m = c < 3 ? 12 : 20;
        var rng = new Random(100 + c);
        var set = KernelShap.Sample(m, c % 2 == 0 ? 200 : 120, new Random(c));
        var coef = Enumerable.Range(0, m).Select(j => j % 4 == 0 ? rng.NextDouble() * 2 - 1 : 0.02 * (rng.NextDouble() - 0.5)).ToArray();
        var ey = set.Coalitions.Select(z =>
        {
            double v = 0;
            for (int j = 0; j < m; j++) if (z[j]) v += coef[j];
            if (z[0] && z[4]) v += 0.3;
            return v + 0.01 * (rng.NextDouble() - 0.5);
        }).ToArray();
        return (set, ey, coef.Sum() + 0.3, m);
    }

    // The augmented design SHAP fits (the library's own construction).
    private static (double[] X, double[] Y, int N) Augmented(CoalitionSample set, double[] ey, double total, int m)
        => KernelShapSelection.Augmented(set, ey, total, m);

    [Theory]
    [InlineData(0, "0;0,8;0,8,4;0,8,4,5;0,8,4,5,7;0,8,4,5,7,3", "0,1,3,4,5,7,8,10", "0,4,5,8,10", "0,8")]
    [InlineData(1, "4;4,0;4,0,8;4,0,8,6;4,0,8,6,11;4,0,8,6,11,7", "0,4,8", "0,4,8", "0,4")]
    [InlineData(2, "0;0,4;0,4,8;0,4,8,11;0,4,8,11,3;0,4,8,11,3,1", "0,4,8", "0,4,8", "0,4")]
    [InlineData(3, "4;4,8;4,8,16;4,8,16,0;4,8,16,0,12;4,8,16,0,12,13", "0,4,8,12,16", "0,4,8,12,16", "0,4,8,12,16")]
    [InlineData(4, "0;0,12;0,12,4;0,12,4,8;0,12,4,8,16;0,12,4,8,16,11", "0,4,8,10,11,12,15,16", "0,4,8,11,12,16", "0,4,8,12,16")]
    [InlineData(5, "8;8,12;8,12,16;8,12,16,4;8,12,16,4,0;8,12,16,4,0,9", "0,4,8,9,12,16", "0,4,8,9,12,16", "0,4,8,12,16")]
    public void Selection_MatchesScikitLearn(int c, string lar, string aic, string bic, string lasso)
    {
        var (set, ey, total, m) = Case(c);
        var (x, y, n) = Augmented(set, ey, total, m);
        var steps = Enumerable.Range(1, 6).Select(k => string.Join(",", LeastAngleRegression.Active(x, n, m, y, k)));
        Assert.Equal(lar, string.Join(";", steps));
        Assert.Equal(aic, string.Join(",", KernelShapSelection.Select(L1Regularization.Aic, set, ey, total, m)));
        Assert.Equal(bic, string.Join(",", KernelShapSelection.Select(L1Regularization.Bic, set, ey, total, m)));
        Assert.Equal(lasso, string.Join(",", KernelShapSelection.Select(L1Regularization.Lasso(0.001), set, ey, total, m)));
        Assert.Equal(lar.Split(';')[2], string.Join(",", KernelShapSelection.Select(L1Regularization.NumFeatures(3), set, ey, total, m)
            .OrderBy(j => lar.Split(';')[2].Split(',').Select(int.Parse).ToList().IndexOf(j))));
    }
}

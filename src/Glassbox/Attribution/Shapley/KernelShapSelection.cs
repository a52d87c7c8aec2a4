using Glassbox.Attribution.Surrogates;

namespace Glassbox.Attribution.Shapley;

/// <summary>
/// KernelSHAP's L1 feature selection (SHAP's <c>KernelExplainer.solve</c>): the coalition values are fitted on SHAP's
/// augmented design, each coalition z counted once as z (weight w·(M − |z|)) and once as z − 1 against the value minus
/// f(x) − E[f(b)] (weight w·|z|), so that the fit respects efficiency without eliminating a variable; the rule of
/// <see cref="L1Regularization"/> then picks the features with non-zero coefficients (checked against scikit-learn 1.2.1).
/// </summary>
public static class KernelShapSelection
{
    /// <summary>The selected features (ascending) for coalition values <paramref name="eyAdj"/> = E[f(z)] − E[f(b)].</summary>
    public static int[] Select(L1Regularization rule, CoalitionSample set, double[] eyAdj, double total, int m)
    {
        var (x, y, n) = Augmented(set, eyAdj, total, m);
        var mode = rule.Mode == L1Mode.Auto ? L1Mode.Aic : rule.Mode;
        int[] chosen = mode switch
        {
            L1Mode.NumFeatures => LeastAngleRegression.Active(x, n, m, y, Math.Min(rule.Features, m)),
            L1Mode.Alpha => NonZero(Surrogates.Lasso.Fit(x, n, m, y, Enumerable.Repeat(1.0, n).ToArray(), rule.Alpha).Coefficients),
            L1Mode.Aic or L1Mode.Bic => InformationCriterion(x, n, m, y, mode == L1Mode.Bic, rule.Mode == L1Mode.Auto),
            _ => Enumerable.Range(0, m).ToArray(),
        };
        Array.Sort(chosen);
        return chosen;
    }

    /// <summary>SHAP's augmented design: rows z with weight w·(M − |z|), rows z − 1 against ey − total with weight w·|z| (square roots folded in).</summary>
    internal static (double[] X, double[] Y, int N) Augmented(CoalitionSample set, double[] eyAdj, double total, int m)
    {
        int rows = set.Coalitions.Length, n = 2 * rows;
        var x = new double[n * m];
        var y = new double[n];
        for (int r = 0; r < rows; r++)
        {
            var z = set.Coalitions[r];
            int size = z.Count(v => v);
            double a = Math.Sqrt(set.Weights[r] * (m - size)), b = Math.Sqrt(set.Weights[r] * size);
            y[r] = a * eyAdj[r];
            y[rows + r] = b * (eyAdj[r] - total);
            for (int j = 0; j < m; j++)
            {
                x[r * m + j] = z[j] ? a : 0;
                x[(rows + r) * m + j] = z[j] ? 0 : -b;
            }
        }
        return (x, y, n);
    }

    private static int[] NonZero(double[] coefficients) => Enumerable.Range(0, coefficients.Length).Where(j => coefficients[j] != 0).ToArray();

    // scikit-learn's make_pipeline(StandardScaler(with_mean=False), LassoLarsIC(criterion)): columns scaled to unit
    // standard deviation, then centred with y; the Lasso-LARS path point minimising
    // n·log(2πσ²) + RSS/σ² + c·df (c = 2 for AIC, log n for BIC; σ² from least squares) gives the features.
    private static int[] InformationCriterion(double[] x, int n, int m, double[] y, bool bic, bool auto)
    {
        if (n <= m + 1)
        {
            if (auto) return Enumerable.Range(0, m).ToArray();
            throw new GlassboxException($"l1_reg {(bic ? "bic" : "aic")} needs more than {(m + 1) / 2} coalitions to estimate the noise for {m} features; raise n_samples or use num_features(K).");
        }
        var xc = (double[])x.Clone();
        for (int j = 0; j < m; j++)
        {
            double mean = 0, sq = 0;
            for (int i = 0; i < n; i++) mean += x[i * m + j];
            mean /= n;
            for (int i = 0; i < n; i++) sq += (x[i * m + j] - mean) * (x[i * m + j] - mean);
            double std = Math.Sqrt(sq / n);
            if (!(std > 10 * double.Epsilon * Math.Max(1, Math.Abs(mean)))) std = 1;
            double centred = mean / std;
            for (int i = 0; i < n; i++) xc[i * m + j] = x[i * m + j] / std - centred;
        }
        double ym = y.Average();
        var yc = y.Select(v => v - ym).ToArray();

        // RSS(β) = yᵀy − 2βᵀXᵀy + βᵀXᵀXβ, from the Gram matrix (m² per path point instead of n·m).
        var (gram, xty) = LeastAngleRegression.Gram(xc, n, m, yc);
        double yty = yc.Sum(v => v * v);
        double Rss(double[] beta)
        {
            double sum = yty;
            for (int a = 0; a < m; a++)
            {
                if (beta[a] == 0) continue;
                double gb = 0;
                for (int b = 0; b < m; b++) gb += gram[a * m + b] * beta[b];
                sum += beta[a] * (gb - 2 * xty[a]);
            }
            return Math.Max(sum, 0);
        }

        var ols = WeightedLeastSquares.Solve(xc, n, m, Enumerable.Repeat(1.0, n).ToArray(), yc, 1).Coefficients;
        double noise = Math.Max(Rss(ols) / (n - m - 1), 1e-300);
        double factor = bic ? Math.Log(n) : 2;
        double[]? best = null;
        double bestScore = double.PositiveInfinity;
        foreach (var coef in LeastAngleRegression.LassoPath(gram, xty, n, m))
        {
            int df = coef.Count(v => Math.Abs(v) > double.Epsilon);
            double score = n * Math.Log(2 * Math.PI * noise) + Rss(coef) / noise + factor * df;
            if (score < bestScore) { bestScore = score; best = coef; }
        }
        return best is null ? [] : NonZero(best);
    }
}

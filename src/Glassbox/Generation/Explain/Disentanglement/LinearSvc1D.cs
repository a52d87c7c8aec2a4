namespace Glassbox.Generation.Explain.Disentanglement;

/// <summary>
/// A linear support vector classifier on one feature, as scikit-learn's <c>LinearSVC(C, class_weight="balanced")</c>
/// solves it through liblinear: squared hinge loss, L2 penalty on the weight and on the intercept (intercept scaling
/// 1), one-vs-rest for more than two classes (positives weighted C·w_c, negatives C, as liblinear does; w_c = n / (K·n_c)),
/// a single problem for two classes; fitted by Newton's method with backtracking on the 2-parameter primal.
/// </summary>
internal sealed class LinearSvc1D
{
    private readonly int[] classes;
    private readonly (double W, double B)[] models;

    /// <summary>Fits the classifier to feature values <paramref name="x"/> and labels <paramref name="y"/>.</summary>
    public LinearSvc1D(double[] x, int[] y, double c = 0.01)
    {
        classes = y.Distinct().Order().ToArray();
        int n = y.Length, k = classes.Length;
        var weight = classes.ToDictionary(cl => cl, cl => n / (double)(k * y.Count(v => v == cl)));
        if (k == 1) { models = []; return; }
        if (k == 2)
        {
            // liblinear's binary problem: the second class is +1.
            var sign = y.Select(v => v == classes[1] ? 1.0 : -1.0).ToArray();
            var cost = y.Select(v => c * weight[v]).ToArray();
            models = [Fit(x, sign, cost)];
            return;
        }
        models = classes.Select(cl =>
        {
            var sign = y.Select(v => v == cl ? 1.0 : -1.0).ToArray();
            var cost = y.Select(v => v == cl ? c * weight[cl] : c).ToArray();
            return Fit(x, sign, cost);
        }).ToArray();
    }

    /// <summary>The predicted class of each value.</summary>
    public int[] Predict(double[] x)
    {
        if (classes.Length == 1) return x.Select(_ => classes[0]).ToArray();
        if (classes.Length == 2) return x.Select(v => models[0].W * v + models[0].B > 0 ? classes[1] : classes[0]).ToArray();
        return x.Select(v =>
        {
            int best = 0;
            for (int m = 1; m < models.Length; m++)
                if (models[m].W * v + models[m].B > models[best].W * v + models[best].B) best = m;
            return classes[best];
        }).ToArray();
    }

    // Minimises ½(w² + b²) + Σ cᵢ max(0, 1 − yᵢ(w xᵢ + b))².
    private static (double W, double B) Fit(double[] x, double[] y, double[] cost)
    {
        double w = 0, b = 0;
        double f = Objective(x, y, cost, w, b);
        for (int iteration = 0; iteration < 100; iteration++)
        {
            double gw = w, gb = b, hww = 1, hwb = 0, hbb = 1;
            for (int i = 0; i < x.Length; i++)
            {
                double margin = 1 - y[i] * (w * x[i] + b);
                if (margin <= 0) continue;
                double g = -2 * cost[i] * y[i] * margin;
                gw += g * x[i];
                gb += g;
                hww += 2 * cost[i] * x[i] * x[i];
                hwb += 2 * cost[i] * x[i];
                hbb += 2 * cost[i];
            }
            if (Math.Sqrt(gw * gw + gb * gb) < 1e-10 * (1 + Math.Abs(f))) break;
            double det = hww * hbb - hwb * hwb;
            double dw = -(hbb * gw - hwb * gb) / det, db = -(hww * gb - hwb * gw) / det;
            double step = 1, next = Objective(x, y, cost, w + dw, b + db);
            while (next > f + 1e-4 * step * (gw * dw + gb * db) && step > 1e-10)
            {
                step /= 2;
                next = Objective(x, y, cost, w + step * dw, b + step * db);
            }
            w += step * dw;
            b += step * db;
            bool converged = f - next <= 1e-14 * Math.Max(1, Math.Abs(f));
            f = next;
            if (converged) break;
        }
        return (w, b);
    }

    private static double Objective(double[] x, double[] y, double[] cost, double w, double b)
    {
        double f = 0.5 * (w * w + b * b);
        for (int i = 0; i < x.Length; i++)
        {
            double margin = 1 - y[i] * (w * x[i] + b);
            if (margin > 0) f += cost[i] * margin * margin;
        }
        return f;
    }
}

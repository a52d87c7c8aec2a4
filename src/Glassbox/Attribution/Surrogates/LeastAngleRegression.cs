namespace Glassbox.Attribution.Surrogates;

/// <summary>
/// Least angle regression (Efron, Hastie, Johnstone and Tibshirani 2004, "Least Angle Regression") without intercept,
/// in double precision, as scikit-learn's <c>lars_path</c>: from β = 0, the variable most correlated with the residual
/// joins the active set and β moves along the equiangular direction of the active set until another variable is as
/// correlated. The Lasso variant also drops a variable whose coefficient crosses zero, which traces the whole Lasso path.
/// </summary>
public static class LeastAngleRegression
{
    /// <summary>The active variables after <paramref name="steps"/> LAR steps (one variable joins per step), in order of entry.</summary>
    /// <param name="x">Design, rows × cols, row-major.</param>
    /// <param name="rows">Rows.</param>
    /// <param name="cols">Columns.</param>
    /// <param name="y">Response, one per row.</param>
    /// <param name="steps">Steps (scikit-learn's <c>max_iter</c>); at most <paramref name="cols"/> variables join.</param>
    public static int[] Active(double[] x, int rows, int cols, double[] y, int steps)
    {
        var active = new List<int>();
        var (gram, xty) = Checked(x, rows, cols, y);
        Run(gram, xty, rows, cols, lasso: false, steps, (_, a) => { active.Clear(); active.AddRange(a); });
        return active.ToArray();
    }

    /// <summary>The Lasso path: the coefficients at every breakpoint, starting with all zeros and ending at least squares.</summary>
    /// <param name="x">Design, rows × cols, row-major.</param>
    /// <param name="rows">Rows.</param>
    /// <param name="cols">Columns.</param>
    /// <param name="y">Response, one per row.</param>
    /// <param name="maxSteps">Step limit (scikit-learn's LassoLarsIC uses 500).</param>
    public static List<double[]> LassoPath(double[] x, int rows, int cols, double[] y, int maxSteps = 500)
    {
        var (gram, xty) = Checked(x, rows, cols, y);
        return LassoPath(gram, xty, rows, cols, maxSteps);
    }

    /// <summary>The Lasso path from a precomputed <see cref="Gram"/> (XᵀX and Xᵀy) of a rows × cols design.</summary>
    public static List<double[]> LassoPath(double[] gram, double[] xty, int rows, int cols, int maxSteps = 500)
    {
        var path = new List<double[]>();
        Run(gram, (double[])xty.Clone(), rows, cols, lasso: true, maxSteps, (beta, _) => path.Add((double[])beta.Clone()));
        return path;
    }

    private static (double[] Gram, double[] Xty) Checked(double[] x, int rows, int cols, double[] y)
    {
        if (x.Length != (long)rows * cols || y.Length != rows) throw new ArgumentException("LARS: array sizes do not match rows and cols.");
        return Gram(x, rows, cols, y);
    }

    // Calls `record` with β and the active set at the start and after every step.
    private static void Run(double[] gram, double[] corr, int rows, int cols, bool lasso, int maxSteps, Action<double[], IReadOnlyList<int>> record)
    {
        double scale = corr.Select(Math.Abs).DefaultIfEmpty(0).Max();
        double tiny = 1e-12 * Math.Max(scale, double.Epsilon);
        var beta = new double[cols];
        var active = new List<int>();
        var inActive = new bool[cols];
        record(beta, active);
        bool add = true;
        for (int step = 0; step < maxSteps; step++)
        {
            if (add)
            {
                if (active.Count >= Math.Min(cols, rows)) break;
                int best = -1;
                for (int j = 0; j < cols; j++)
                    if (!inActive[j] && (best < 0 || Math.Abs(corr[j]) > Math.Abs(corr[best]))) best = j;
                if (best < 0 || Math.Abs(corr[best]) <= tiny) break;
                active.Add(best);
                inActive[best] = true;
            }
            int k = active.Count;
            double c = active.Max(j => Math.Abs(corr[j]));
            if (c <= tiny) break;
            var s = active.Select(j => Math.Sign(corr[j]) == 0 ? 1.0 : Math.Sign(corr[j])).ToArray();
            var g = new double[k * k];
            for (int p = 0; p < k; p++)
                for (int q = 0; q < k; q++) g[p * k + q] = s[p] * s[q] * gram[active[p] * cols + active[q]];
            var z = SolveOnes(g, k);
            if (z is null) { active.RemoveAt(k - 1); break; }
            double norm = 1 / Math.Sqrt(Math.Max(z.Sum(), double.Epsilon));
            var w = z.Select(v => v * norm).ToArray();
            // a_j = x_jᵀ u for the equiangular direction u = Σ s_p w_p x_p.
            var a = new double[cols];
            for (int j = 0; j < cols; j++)
                for (int p = 0; p < k; p++) a[j] += gram[j * cols + active[p]] * s[p] * w[p];
            double gamma = c / norm;
            int next = -1;
            for (int j = 0; j < cols; j++)
            {
                if (inActive[j]) continue;
                foreach (double cand in new[] { (c - corr[j]) / (norm - a[j]), (c + corr[j]) / (norm + a[j]) })
                    if (cand > 1e-14 * gamma && cand < gamma) { gamma = cand; next = j; }
            }
            int drop = -1;
            if (lasso)
                for (int p = 0; p < k; p++)
                {
                    double d = s[p] * w[p];
                    if (d == 0) continue;
                    double cand = -beta[active[p]] / d;
                    if (cand > 1e-14 * gamma && cand < gamma) { gamma = cand; drop = p; }
                }
            for (int p = 0; p < k; p++) beta[active[p]] += gamma * s[p] * w[p];
            for (int j = 0; j < cols; j++) corr[j] -= gamma * a[j];
            add = true;
            if (drop >= 0)
            {
                beta[active[drop]] = 0;
                inActive[active[drop]] = false;
                active.RemoveAt(drop);
                add = false;
            }
            record(beta, active);
            if (drop < 0 && next < 0 && active.Count >= Math.Min(cols, rows)) break;
        }
    }

    /// <summary>XᵀX (cols × cols, row-major) and Xᵀy.</summary>
    public static (double[] Gram, double[] Xty) Gram(double[] x, int rows, int cols, double[] y)
    {
        var gram = new double[cols * cols];
        var xty = new double[cols];
        for (int i = 0; i < rows; i++)
        {
            int row = i * cols;
            for (int a = 0; a < cols; a++)
            {
                double xa = x[row + a];
                if (xa == 0) continue;
                xty[a] += xa * y[i];
                for (int b = a; b < cols; b++) gram[a * cols + b] += xa * x[row + b];
            }
        }
        for (int a = 0; a < cols; a++)
            for (int b = 0; b < a; b++) gram[a * cols + b] = gram[b * cols + a];
        return (gram, xty);
    }

    // z with G z = 1 (Gaussian elimination with partial pivoting), or null when G is singular.
    private static double[]? SolveOnes(double[] g, int n)
    {
        var m = (double[])g.Clone();
        var b = Enumerable.Repeat(1.0, n).ToArray();
        double scale = 0;
        for (int i = 0; i < n; i++) scale = Math.Max(scale, Math.Abs(m[i * n + i]));
        for (int col = 0; col < n; col++)
        {
            int piv = col;
            for (int r = col + 1; r < n; r++) if (Math.Abs(m[r * n + col]) > Math.Abs(m[piv * n + col])) piv = r;
            if (!(Math.Abs(m[piv * n + col]) > 1e-12 * Math.Max(scale, double.Epsilon))) return null;
            if (piv != col)
            {
                for (int q = 0; q < n; q++) (m[col * n + q], m[piv * n + q]) = (m[piv * n + q], m[col * n + q]);
                (b[col], b[piv]) = (b[piv], b[col]);
            }
            for (int r = col + 1; r < n; r++)
            {
                double f = m[r * n + col] / m[col * n + col];
                if (f == 0) continue;
                for (int q = col; q < n; q++) m[r * n + q] -= f * m[col * n + q];
                b[r] -= f * b[col];
            }
        }
        var z = new double[n];
        for (int i = n - 1; i >= 0; i--)
        {
            double sum = b[i];
            for (int q = i + 1; q < n; q++) sum -= m[i * n + q] * z[q];
            z[i] = sum / m[i * n + i];
        }
        return z;
    }
}

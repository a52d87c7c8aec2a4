using Glassbox.Attribution;

namespace Glassbox.Metrics.Complexity;

/// <summary>The H·W pixel maps complexity metrics score: each map summed over channels (as Quantus scores the H×W map its explain function returns), then |·| and ÷ max|·| as asked.</summary>
internal static class PixelMaps
{
    /// <summary>Map [n·K+k] of <paramref name="explanation"/> as H·W values.</summary>
    public static double[] Of(Explanation explanation, int index, bool absolute, bool normaliseByMax)
    {
        int c = explanation.Shape[2], pixels = explanation.Shape[3] * explanation.Shape[4];
        var values = explanation.Values.AsSpan(index * explanation.MapSize, explanation.MapSize);
        var map = new double[pixels];
        for (int ch = 0; ch < c; ch++)
            for (int p = 0; p < pixels; p++) map[p] += values[ch * pixels + p];
        if (absolute) for (int p = 0; p < pixels; p++) map[p] = Math.Abs(map[p]);
        if (normaliseByMax)
        {
            double max = map.Max(Math.Abs);
            if (max > 0) for (int p = 0; p < pixels; p++) map[p] /= max;
        }
        return map;
    }

    /// <summary>Throws unless <paramref name="explanation"/>'s values and shape [N,K,C,H,W] agree.</summary>
    public static void Check(Explanation explanation, string metric)
    {
        var s = explanation.Shape;
        if (s.Length != 5 || explanation.Values.Length != (long)s[0] * s[1] * s[2] * s[3] * s[4])
            throw new GlassboxException($"{metric}: the explanation from {explanation.Method} is malformed (values and shape [N,K,C,H,W] disagree).");
    }
}

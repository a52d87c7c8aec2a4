namespace Glassbox.Metrics.Randomisation;

/// <summary>
/// What a model-parameter-randomisation test saw at each step (Adebayo et al. 2018): the layers randomised so far, how
/// similar each map still is to the original one, and the maps of the first explained image, for the cascade figure.
/// </summary>
/// <param name="Steps">Step names in order: "original", then the layer (node) randomised at that step (cascading from the output, or alone when independent).</param>
/// <param name="Similarity">Similarity measure's name (e.g. "spearman", "ssim").</param>
/// <param name="Scores">[step][map n·K+k]: similarity of each map to the original's at that step (step 0 = 1).</param>
/// <param name="FirstMaps">[step]: the first map (image 0, target 0) at that step, C·H·W values, for the figure.</param>
/// <param name="MapShape">C, H, W of <paramref name="FirstMaps"/>.</param>
/// <param name="Cascading">True when layers stay randomised from the top down; false when each is randomised alone.</param>
public sealed record RandomisationCascade(
    IReadOnlyList<string> Steps, string Similarity, double[][] Scores, float[][] FirstMaps, int[] MapShape, bool Cascading);

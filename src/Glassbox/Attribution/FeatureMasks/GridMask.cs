using static TorchSharp.torch;

namespace Glassbox.Attribution.FeatureMasks;

/// <summary>
/// Square patches of <paramref name="PatchSize"/>×<paramref name="PatchSize"/> pixels, row-major ids, shared by all
/// channels; the last row and column of patches are smaller when the size does not divide the image.
/// </summary>
/// <param name="PatchSize">Patch side in pixels (≥ 1).</param>
public sealed record GridMask(int PatchSize) : MaskSource
{
    /// <inheritdoc />
    public override FeatureMask ForInput(Tensor image)
    {
        var (c, h, w) = Dimensions(image);
        return Create(c, h, w, PatchSize);
    }

    /// <summary>The grid mask for C×H×W images.</summary>
    public static FeatureMask Create(int channels, int height, int width, int patchSize)
    {
        if (patchSize < 1) throw new GlassboxException($"The grid patch size must be at least 1 pixel, not {patchSize}.");
        int cols = (width + patchSize - 1) / patchSize;
        var ids = new int[height * width];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                ids[y * width + x] = (y / patchSize) * cols + x / patchSize;
        return FeatureMask.FromPixelMask(ids, channels, height, width);
    }

    /// <inheritdoc />
    public override string Describe() => $"grid {PatchSize}×{PatchSize}";
}

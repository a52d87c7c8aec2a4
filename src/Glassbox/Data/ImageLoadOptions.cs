namespace Glassbox.Data;

/// <summary>How image files become tensors: the channel count and an optional target size.</summary>
/// <param name="Channels">1 for grayscale (ITU-R BT.601 luma) or 3 for RGB.</param>
/// <param name="Height">Target height in pixels; set together with <paramref name="Width"/> to resize (bilinear).</param>
/// <param name="Width">Target width in pixels; set together with <paramref name="Height"/> to resize (bilinear).</param>
public sealed record ImageLoadOptions(int Channels = 3, int? Height = null, int? Width = null)
{
    /// <summary>Largest image side decoded, in pixels; a file whose header claims more is refused before decoding.</summary>
    public const int MaxSide = 16384;

    /// <summary>Largest pixel count decoded (2^28, 1 GiB as RGBA); a file whose header claims more is refused before decoding.</summary>
    public const long MaxPixels = 1L << 28;

    /// <summary>Whether images are resized to <see cref="Height"/>×<see cref="Width"/>.</summary>
    internal bool Resizes => Height is not null && Width is not null;

    /// <summary>Throws a <see cref="GlassboxException"/> if the options are inconsistent.</summary>
    internal void Validate()
    {
        if (Channels is not (1 or 3))
            throw new GlassboxException($"Images can be loaded with 1 (grayscale) or 3 (RGB) channels, not {Channels}.");
        if ((Height is null) != (Width is null))
            throw new GlassboxException("Give both a target height and a target width to resize images, or neither.");
        if (Height <= 0 || Width <= 0)
            throw new GlassboxException($"The target image size must be positive, got {Height}×{Width}.");
        if (Height > MaxSide || Width > MaxSide || (long?)Height * Width > MaxPixels)
            throw new GlassboxException($"The target image size {Height}×{Width} is too large: at most {MaxSide} pixels per side and {MaxPixels} pixels in all.");
    }
}

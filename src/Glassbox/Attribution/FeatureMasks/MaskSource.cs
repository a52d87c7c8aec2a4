using static TorchSharp.torch;

namespace Glassbox.Attribution.FeatureMasks;

/// <summary>
/// Where a perturbation method's features come from (Captum's <c>feature_mask</c>): which elements are switched on and
/// off together, as one fixed mask for every input or a mask computed from each input (grid patches, superpixels).
/// What a switched-off element becomes is the baseline's or the masker's job (<see cref="Maskers.ImageMasker"/>).
/// Methods call <see cref="ForInput"/> once per image.
/// </summary>
public abstract record MaskSource
{
    /// <summary>Every C×H×W element is its own feature (Captum's default without a mask).</summary>
    public static MaskSource PerElement { get; } = new PerElementMask();

    /// <summary>The same mask for every input.</summary>
    public static MaskSource Shared(FeatureMask mask) => new SharedMask(mask);

    /// <summary>Square patches of <paramref name="patchSize"/> pixels shared by all channels.</summary>
    public static MaskSource Grid(int patchSize) => new GridMask(patchSize);

    /// <summary>The feature mask for one C×H×W input image.</summary>
    public abstract FeatureMask ForInput(Tensor image);

    /// <summary>True when every input gets the same mask (methods may then batch inputs together).</summary>
    public virtual bool IsShared => true;

    /// <summary>A short description for settings and reports.</summary>
    public abstract string Describe();

    /// <summary>Checks that <paramref name="image"/> is C×H×W and returns its dimensions.</summary>
    protected static (int C, int H, int W) Dimensions(Tensor image)
    {
        if (image.dim() != 3) throw new GlassboxException($"A feature mask is made for one C×H×W image, got shape {string.Join("×", image.shape)}.");
        return ((int)image.shape[0], (int)image.shape[1], (int)image.shape[2]);
    }

    private sealed record PerElementMask : MaskSource
    {
        public override FeatureMask ForInput(Tensor image)
        {
            var (c, h, w) = Dimensions(image);
            return FeatureMask.PerElement(c, h, w);
        }

        public override string Describe() => "per element";
    }
}

/// <summary>A fixed mask used for every input.</summary>
/// <param name="Mask">The mask; its C×H×W must match the inputs.</param>
public sealed record SharedMask(FeatureMask Mask) : MaskSource
{
    /// <inheritdoc />
    public override FeatureMask ForInput(Tensor image)
    {
        var (c, h, w) = Dimensions(image);
        if (c != Mask.Channels || h != Mask.Height || w != Mask.Width)
            throw new GlassboxException($"The feature mask is {Mask.Channels}×{Mask.Height}×{Mask.Width} but the input is {c}×{h}×{w}.");
        return Mask;
    }

    /// <inheritdoc />
    public override string Describe() => $"{Mask.Count} features";
}

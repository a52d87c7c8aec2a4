namespace Glassbox.Models;

/// <summary>What a classifier expects and predicts; stored in the checkpoint JSON.</summary>
/// <param name="Architecture">One of <see cref="Models.Architecture.Names"/>, or a custom name for wrapped networks.</param>
/// <param name="Channels">Input channels.</param>
/// <param name="Height">Input height in pixels.</param>
/// <param name="Width">Input width in pixels.</param>
/// <param name="ClassNames">Output classes, in logit order.</param>
/// <param name="Mean">Per-channel mean subtracted from [0,1] pixels before the first layer, or null for none.</param>
/// <param name="Std">Per-channel standard deviation divided out after the mean, or null for none.</param>
public sealed record ModelInfo(
    string Architecture, int Channels, int Height, int Width, IReadOnlyList<string> ClassNames,
    float[]? Mean = null, float[]? Std = null)
{
    /// <summary>Number of output classes.</summary>
    public int Classes => ClassNames.Count;

    /// <summary>Largest input height or width accepted, in pixels.</summary>
    public const int MaxSide = 4096;

    /// <summary>Largest number of input channels accepted.</summary>
    public const int MaxChannels = 64;

    /// <summary>Largest number of classes accepted.</summary>
    public const int MaxClasses = 100_000;

    /// <summary>Checks the record; throws a <see cref="GlassboxException"/> naming the bad field.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Architecture))
            throw new GlassboxException("The model description names no architecture.");
        if (Channels <= 0 || Height <= 0 || Width <= 0)
            throw new GlassboxException($"Invalid input shape {Channels}×{Height}×{Width}: channels, height and width must be positive.");
        if (Channels > MaxChannels || Height > MaxSide || Width > MaxSide)
            throw new GlassboxException($"Input shape {Channels}×{Height}×{Width} is too large: Glassbox accepts at most {MaxChannels} channels and {MaxSide} pixels per side. Fix the model description or resize the images.");
        if (ClassNames is null)
            throw new GlassboxException("The model description names no classes; give the class names in logit order.");
        if (ClassNames.Count < 2)
            throw new GlassboxException("A classifier needs at least two classes.");
        if (ClassNames.Count > MaxClasses)
            throw new GlassboxException($"The model description names {ClassNames.Count} classes; Glassbox accepts at most {MaxClasses}.");
        if (ClassNames.Any(n => n is null))
            throw new GlassboxException("A class name in the model description is null; give every class a name (a string).");
        if ((Mean is null) != (Std is null))
            throw new GlassboxException("Normalisation needs both mean and std, or neither.");
        if (Mean is not null && (Mean.Length != Channels || Std!.Length != Channels))
            throw new GlassboxException($"Normalisation mean/std must have one value per channel ({Channels}).");
        if (Mean is not null && Mean.Any(m => !float.IsFinite(m)))
            throw new GlassboxException($"Normalisation mean values must be finite numbers, got [{string.Join(", ", Mean.Select(m => m.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]. Fix the mean in the model description.");
        if (Std is not null && Std.Any(s => !(s > 0) || !float.IsFinite(s)))
            throw new GlassboxException("Normalisation std values must be positive and finite.");
    }
}

using Glassbox.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Generation;

/// <summary>Input checks shared by the generators.</summary>
internal static class GenerationChecks
{
    /// <summary>The device of the model's first parameter (CPU for a model without parameters).</summary>
    public static Device DeviceOf(IGenerativeModel model)
    {
        foreach (var p in model.Module.parameters()) return p.device;
        return CPU;
    }

    /// <summary><paramref name="t"/> on <paramref name="device"/>: itself when already there, else a copy (and <paramref name="t"/> is disposed).</summary>
    public static Tensor ToDevice(Tensor t, Device device)
    {
        if (t.device_type == device.type && (device.type == DeviceType.CPU || t.device_index == device.index)) return t;
        var moved = t.to(device);
        t.Dispose();
        return moved;
    }

    public static void CheckShape(int channels, int height, int width)
    {
        if (channels < 1) throw new GlassboxException($"Images need at least 1 channel, not {channels}.");
        if (height < 4 || width < 4 || height % 4 != 0 || width % 4 != 0)
            throw new GlassboxException($"The generators halve the image twice, so height and width must be positive multiples of 4; {height}×{width} is not.");
    }

    public static void CheckData(IGenerativeModel model, ImageDataset data)
    {
        if (data.Count == 0) throw new GlassboxException("The training set is empty.");
        if (data.Channels != model.Channels || data.Height != model.Height || data.Width != model.Width)
            throw new GlassboxException($"The training images are {data.Channels}×{data.Height}×{data.Width} but the {model.Kind} expects {model.Channels}×{model.Height}×{model.Width}. Build the model for this image size.");
        if (model.Classes > 0 && data.ClassNames.Count != model.Classes)
            throw new GlassboxException($"The training data has {data.ClassNames.Count} classes but the conditional {model.Kind} has {model.Classes}.");
        var pixels = data.Pixels;
        for (int i = 0; i < data.Count * data.ImageSize; i++)
            if (!(pixels[i] >= 0f && pixels[i] <= 1f))
                throw new GlassboxException($"Training pixel {i} is {pixels[i]}; generators train on finite pixels in [0, 1]. Load images unnormalised.");
    }

    public static void CheckImages(IGenerativeModel model, Tensor x)
    {
        if (x.dim() != 4 || x.shape[1] != model.Channels || x.shape[2] != model.Height || x.shape[3] != model.Width)
            throw new GlassboxException($"Images of shape [{string.Join(", ", x.shape)}] do not fit the {model.Kind}: it expects N×{model.Channels}×{model.Height}×{model.Width}.");
        using var finite = x.isfinite().all();
        if (!finite.item<bool>()) throw new GlassboxException($"The images given to the {model.Kind} contain NaN or infinite values.");
    }

    public static void CheckLatents(IGenerativeModel model, Tensor z)
    {
        if (z.dim() != 2 || z.shape[1] != model.LatentSize)
            throw new GlassboxException($"Latents of shape [{string.Join(", ", z.shape)}] do not fit the {model.Kind}: it expects N×{model.LatentSize}.");
        using var finite = z.isfinite().all();
        if (!finite.item<bool>()) throw new GlassboxException($"The latents given to the {model.Kind} contain NaN or infinite values.");
    }

    public static Tensor? Labels(IGenerativeModel model, int n, int? label, Device device)
    {
        if (model.Classes == 0)
        {
            if (label is not null) throw new GlassboxException($"This {model.Kind} is unconditional; generate without a class.");
            return null;
        }
        if (label is not int c) throw new GlassboxException($"This {model.Kind} is conditional; give a class in 0..{model.Classes - 1}.");
        if (c < 0 || c >= model.Classes) throw new GlassboxException($"Class {c} is out of range: the {model.Kind} has classes 0..{model.Classes - 1}.");
        return torch.full([n], (long)c, dtype: ScalarType.Int64, device: device);
    }

    public static void CheckLabels(IGenerativeModel model, Tensor? labels, long n)
    {
        if (model.Classes == 0)
        {
            if (labels is not null) throw new GlassboxException($"This {model.Kind} is unconditional; pass no labels.");
            return;
        }
        if (labels is null) throw new GlassboxException($"This {model.Kind} is conditional; pass one label per image.");
        if (labels.dim() != 1 || labels.shape[0] != n)
            throw new GlassboxException($"Expected {n} labels, got a tensor of shape [{string.Join(", ", labels.shape)}].");
        using var bad = labels.lt(0).logical_or(labels.ge(model.Classes)).any();
        if (bad.item<bool>()) throw new GlassboxException($"Labels must be in 0..{model.Classes - 1}.");
    }
}

using Glassbox.Models;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Catalog;

/// <summary>What parsing an option's text may need: the model's input shape (baseline images, feature masks) and device.</summary>
/// <param name="Info">The model's input shape and classes.</param>
/// <param name="Device">Where tensors made from option values (baseline images) live.</param>
public sealed record OptionContext(ModelInfo Info, Device Device);

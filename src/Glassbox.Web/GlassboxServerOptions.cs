namespace Glassbox.Web;

/// <summary>Where the explorer reads models and images from, where it listens, and the limits it enforces.</summary>
/// <param name="ModelRoot">Folder whose checkpoints, Sequential specs, TorchScript and ONNX files are offered; nothing outside it is read.</param>
/// <param name="DataRoot">Folder whose dataset folders (MNIST format, or one subfolder of PNG/JPEG images per class) are offered.</param>
/// <param name="Urls">Addresses to listen on (semicolon-separated, as ASP.NET Core's --urls); loopback by default. Port 0 picks a free port.</param>
/// <param name="WorkFolder">Where jobs write their outputs and uploads are kept; null makes a temporary folder, deleted on shutdown.</param>
public sealed record GlassboxServerOptions(string ModelRoot, string DataRoot, string Urls = GlassboxServerOptions.DefaultUrls, string? WorkFolder = null)
{
    /// <summary>The loopback address used unless told otherwise.</summary>
    public const string DefaultUrls = "http://127.0.0.1:5080";

    /// <summary>Largest accepted upload, in bytes.</summary>
    public long MaxUploadBytes { get; init; } = 8 << 20;

    /// <summary>Largest side of an uploaded image, in pixels (checked from its header before decoding).</summary>
    public int MaxImageSide { get; init; } = 2048;

    /// <summary>Jobs running at once (each one uses libtorch's threads).</summary>
    public int Workers { get; init; } = 1;

    /// <summary>Jobs waiting or running at once; a job past it is refused with 429 and Retry-After.</summary>
    public int QueueCapacity { get; init; } = 16;

    /// <summary>Longest a job may run before it is cancelled.</summary>
    public TimeSpan JobTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Finished jobs kept (with their files) before the oldest are deleted.</summary>
    public int KeepFinishedJobs { get; init; } = 200;

    /// <summary>Throws a <see cref="GlassboxException"/> naming the first option that cannot work.</summary>
    public void Validate()
    {
        if (!Directory.Exists(ModelRoot)) throw new GlassboxException($"--models '{ModelRoot}' is not a folder. Pass the folder holding your checkpoints, specs, TorchScript or ONNX files.");
        if (!Directory.Exists(DataRoot)) throw new GlassboxException($"--data '{DataRoot}' is not a folder. Pass the folder holding your dataset folders.");
        if (MaxUploadBytes < 1024) throw new GlassboxException($"The upload limit must be at least 1024 bytes, not {MaxUploadBytes}.");
        if (MaxImageSide < 1) throw new GlassboxException($"The image side limit must be positive, not {MaxImageSide}.");
        if (Workers < 1) throw new GlassboxException($"--workers must be at least 1, not {Workers}.");
        if (QueueCapacity < Workers) throw new GlassboxException($"--queue ({QueueCapacity}) must be at least --workers ({Workers}).");
        if (JobTimeout <= TimeSpan.Zero) throw new GlassboxException($"--job-timeout must be positive, not {JobTimeout.TotalSeconds} s.");
        if (KeepFinishedJobs < 1) throw new GlassboxException($"Finished jobs kept must be at least 1, not {KeepFinishedJobs}.");
    }
}

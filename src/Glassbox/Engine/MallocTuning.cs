using System.Runtime.InteropServices;

namespace Glassbox.Engine;

/// <summary>
/// glibc malloc settings for libtorch. By default glibc serves large tensors with fresh mmap pages until its
/// dynamic threshold grows, and every page fault costs; keeping freed memory in the heap makes a forward+backward
/// pass of the reference CNN several times faster early in a process. Control with <c>GLASSBOX_MALLOC</c>:
/// <c>tuned</c> (default), <c>default</c> (leave glibc alone). Any <c>MALLOC_*_</c> variable set by the user wins.
/// </summary>
internal static class MallocTuning
{
    private const int MTrimThreshold = -1;
    private const int MTopPad = -2;
    private const int MMmapThreshold = -3;

    /// <summary>The mmap threshold set when tuned: 32 MiB, the largest glibc accepts through mallopt on 64-bit.</summary>
    public const int MmapThreshold = 32 * 1024 * 1024;
    /// <summary>The trim threshold set when tuned (free memory kept before returning it to the system).</summary>
    public const int TrimThreshold = int.MaxValue;
    /// <summary>The top pad set when tuned (extra heap requested per sbrk).</summary>
    public const int TopPad = 256 * 1024 * 1024;

    /// <summary>Used on systems without glibc.</summary>
    public static readonly MallocSetting NotApplicable = new("not-applicable", "not Linux/glibc");

    /// <summary>Applies the setting named by GLASSBOX_MALLOC (or the tuned default).</summary>
    public static MallocSetting ApplyFromEnvironment()
    {
        string mode = (Environment.GetEnvironmentVariable("GLASSBOX_MALLOC") ?? "tuned").Trim().ToLowerInvariant();
        if (mode is "default" or "off" or "0")
            return new MallocSetting("default", "glibc defaults (GLASSBOX_MALLOC=default)");
        if (Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null
            || Environment.GetEnvironmentVariable("MALLOC_TOP_PAD_") is not null
            || Environment.GetEnvironmentVariable("MALLOC_TRIM_THRESHOLD_") is not null)
            return new MallocSetting("environment", "MALLOC_*_ variables from the environment");
        try
        {
            bool ok = MallOpt(MMmapThreshold, MmapThreshold) == 1
                      & MallOpt(MTrimThreshold, TrimThreshold) == 1
                      & MallOpt(MTopPad, TopPad) == 1;
            return ok
                ? new MallocSetting("tuned", $"mallopt: mmap_threshold={MmapThreshold}, trim_threshold={TrimThreshold}, top_pad={TopPad}")
                : new MallocSetting("default", "mallopt refused the tuned values");
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return new MallocSetting("default", "no glibc mallopt");
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int MallOpt(int param, int value);
}

/// <summary>The allocator setting a process runs under.</summary>
/// <param name="Name">tuned, default, environment or not-applicable.</param>
/// <param name="Description">The values, for benchmark output.</param>
public sealed record MallocSetting(string Name, string Description);

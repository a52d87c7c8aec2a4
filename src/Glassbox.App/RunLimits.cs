using System.Globalization;

namespace Glassbox.App;

/// <summary>Limits on the options every command shares, checked before any work starts.</summary>
public static class RunLimits
{
    /// <summary>Most libtorch threads accepted per processor core; more only adds contention.</summary>
    public const int ThreadsPerCore = 4;

    /// <summary>Throws unless <paramref name="threads"/> is 0 (libtorch's default) or 1..<see cref="ThreadsPerCore"/>× the cores.</summary>
    public static void CheckThreads(int threads, int? cores = null)
    {
        int n = cores ?? Environment.ProcessorCount;
        int max = ThreadsPerCore * n;
        if (threads < 0)
            throw new GlassboxException($"--threads must be 0 (libtorch's default) or positive, not {threads}.");
        if (threads > max)
            throw new GlassboxException(
                $"--threads {threads.ToString(CultureInfo.InvariantCulture)} is more than {ThreadsPerCore}× the {n} processor cores of this machine; " +
                $"use 0 (libtorch's default) or at most {max}.");
    }
}

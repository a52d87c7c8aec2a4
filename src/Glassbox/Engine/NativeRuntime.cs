using System.Runtime.InteropServices;

namespace Glassbox.Engine;

/// <summary>
/// Prepares the process for TorchSharp: loads the libstdc++ compatibility shim where the system library is older
/// than GCC 13 (see build/NativeCompat.targets) and applies the allocator settings of <see cref="MallocTuning"/>.
/// Runs once per process, before the first TorchSharp call.
/// </summary>
public static class NativeRuntime
{
    private const string ShimFileName = "libglassbox_glibcxx_shim.so";
    private const string NeededSymbol = "_ZSt21ios_base_library_initv";
    private static readonly Lazy<NativeRuntimeInfo> State = new(Initialize, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Makes sure the native side is ready; cheap after the first call.</summary>
    public static NativeRuntimeInfo EnsureInitialized() => State.Value;

    private static NativeRuntimeInfo Initialize()
    {
        if (!OperatingSystem.IsLinux())
            return new NativeRuntimeInfo(false, MallocTuning.NotApplicable);

        var malloc = MallocTuning.ApplyFromEnvironment();
        bool shimLoaded = false;
        if (Dl.Sym(IntPtr.Zero, NeededSymbol) == IntPtr.Zero)
        {
            string shim = Path.Combine(AppContext.BaseDirectory, ShimFileName);
            if (!File.Exists(shim))
                throw new GlassboxException(
                    $"The system libstdc++ is older than GCC 13 and the compatibility library '{ShimFileName}' was not " +
                    $"found next to the program ({AppContext.BaseDirectory}). Install a C++ compiler ('apt-get install g++') " +
                    "and rebuild (dotnet build) so the build can create it.");
            if (Dl.Open(shim, Dl.RtldNow | Dl.RtldGlobal) == IntPtr.Zero)
                throw new GlassboxException($"Could not load '{shim}': {Dl.LastError()}. Rebuild with 'dotnet build'.");
            shimLoaded = true;
        }
        return new NativeRuntimeInfo(shimLoaded, malloc);
    }

    private static class Dl
    {
        public const int RtldNow = 2;
        public const int RtldGlobal = 0x100;

        [DllImport("libc", EntryPoint = "dlopen")]
        public static extern IntPtr Open(string path, int flags);

        [DllImport("libc", EntryPoint = "dlsym")]
        public static extern IntPtr Sym(IntPtr handle, string name);

        [DllImport("libc", EntryPoint = "dlerror")]
        private static extern IntPtr Error();

        public static string LastError() => Marshal.PtrToStringAnsi(Error()) ?? "unknown error";
    }
}

/// <summary>What <see cref="NativeRuntime"/> did at start-up.</summary>
/// <param name="CompatibilityShimLoaded">True when the libstdc++ shim had to be loaded.</param>
/// <param name="Malloc">The allocator setting in force.</param>
public sealed record NativeRuntimeInfo(bool CompatibilityShimLoaded, MallocSetting Malloc);

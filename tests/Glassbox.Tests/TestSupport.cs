using System.Runtime.CompilerServices;
using Glassbox.Engine;

namespace Glassbox.Tests;

internal static class TestSupport
{
    [ModuleInitializer]
    internal static void Init() => NativeRuntime.EnsureInitialized();
}

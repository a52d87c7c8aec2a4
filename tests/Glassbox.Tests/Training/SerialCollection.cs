namespace Glassbox.Tests.Training;

/// <summary>
/// Tests that must not share the machine with other tests: they seed libtorch's global generator and expect the
/// next weight initialisation to use it, or measure time. xUnit runs this collection after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Serial (global torch seed)";
}

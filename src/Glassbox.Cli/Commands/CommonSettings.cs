using System.ComponentModel;
using Spectre.Console.Cli;

namespace Glassbox.Cli.Commands;

/// <summary>Options every command takes.</summary>
internal class CommonSettings : CommandSettings
{
    [CommandOption("--device <DEVICE>"), Description("cpu (default), cuda, cuda:N or auto")]
    public string Device { get; init; } = "cpu";

    [CommandOption("--threads <N>"), Description("libtorch threads (0 = libtorch default)")]
    public int Threads { get; init; }

    [CommandOption("--seed <N>"), Description("Random seed. Default: 0")]
    public int Seed { get; init; }
}

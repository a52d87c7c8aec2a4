using System.ComponentModel;
using Spectre.Console.Cli;

namespace Glassbox.Cli.Commands;

internal sealed partial class ExplainCommand
{
    public sealed partial class Settings
    {
        [CommandOption("--shard <K/N>"), Description("Explain only shard K of N (0 ≤ K < N): whole chunks of --chunk-size, partitioned by a seeded hash (--seed); put the shards' folders together with 'glassbox merge'. See docs/scale.md")]
        public string? Shard { get; init; }
    }
}

using System.ComponentModel;
using Spectre.Console.Cli;

namespace Glassbox.Cli.Commands;

internal sealed partial class ExplainCommand
{
    public sealed partial class Settings
    {
        [CommandOption("--checks"), Description("Also check the explanation: additivity where the method promises it, and deletion by attribution against random order (writes checks.json, deletion_curves.png)")]
        public bool Checks { get; init; }
    }
}

using System.ComponentModel;
using Spectre.Console.Cli;

namespace Glassbox.Cli.Commands;

internal sealed partial class ExplainCommand
{
    public sealed partial class Settings
    {
        [CommandOption("--checks"), Description("Also check the explanation: additivity where the method promises it, and deletion by attribution against random order (writes checks.json, deletion_curves.png)")]
        public bool Checks { get; init; }

        [CommandOption("--plot-rows <N>"), Description("Inputs shown in the image plot (the first N); the .npy files hold every input. Default: 16")]
        public int PlotRows { get; init; } = Glassbox.App.ExplainRequest.DefaultPlotRows;

        [CommandOption("--chunk-size <N>"), Description("Inputs explained together; each chunk's attributions are appended to attributions.npy as they are made, so memory does not grow with the number of inputs (0 = all at once; random methods draw per chunk). Default: 64")]
        public int ChunkSize { get; init; } = Glassbox.App.ExplainRequest.DefaultChunkSize;
    }
}

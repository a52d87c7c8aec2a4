using System.ComponentModel;
using System.Globalization;
using Glassbox.App;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Glassbox.Cli.Commands;

internal sealed partial class BenchmarkCommand
{
    public sealed partial class Settings
    {
        [CommandOption("--disentanglement"), Description("Disentanglement β sweep instead: train a VAE per --betas × --seeds on the synthetic factor sprites and print MIG, DCI, FactorVAE score and SAP (mean ± sd over seeds); writes JSON + chart into -o (default disentanglement-sweep). Epochs: --epochs (default 6 here)")]
        public bool Disentanglement { get; init; }

        [CommandOption("--betas <LIST>"), Description("Disentanglement sweep: KL weights, comma-separated. Default: 1,4")]
        public string Betas { get; init; } = "1,4";

        [CommandOption("--seeds <LIST>"), Description("Disentanglement sweep: training seeds, comma-separated. Default: 0,1")]
        public string Seeds { get; init; } = "0,1";
    }

    private static int RunDisentanglement(Settings s, CommandContext context)
    {
        bool Given(string flag) => context.Arguments.Any(a => a == flag || a.StartsWith(flag + "=", StringComparison.Ordinal));
        var betas = s.Betas.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double b) ? b : throw new GlassboxException($"--betas takes numbers like 1,4,8, not '{s.Betas}'.")).ToList();
        var seeds = s.Seeds.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(t => int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : throw new GlassboxException($"--seeds takes integers like 0,1, not '{s.Seeds}'.")).ToList();
        var options = new DisentanglementSweepOptions(betas, seeds, Given("--epochs") ? s.Epochs : 6,
            Out: Given("-o") || Given("--out") ? s.Out : "disentanglement-sweep", Threads: s.Threads);
        var r = DisentanglementSweep.Run(options, m => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(m)}[/]"));
        var table = new Table().AddColumn("score");
        foreach (double b in betas) table.AddColumn($"β = {b.ToString("0.##", CultureInfo.InvariantCulture)}");
        string Cell(double b, Func<DisentanglementSweepRun, double> f, string format)
        {
            var (m, sd) = r.Spread(b, f);
            return seeds.Count > 1 ? $"{m.ToString(format, CultureInfo.InvariantCulture)} ± {sd.ToString(format, CultureInfo.InvariantCulture)}" : m.ToString(format, CultureInfo.InvariantCulture);
        }
        foreach (string n in r.ScoreNames) table.AddRow([n, .. betas.Select(b => Cell(b, x => x.Scores[n], "F3"))]);
        table.AddRow(["reconstruction (nats)", .. betas.Select(b => Cell(b, x => x.Reconstruction, "F1"))]);
        table.AddRow(["KL (nats)", .. betas.Select(b => Cell(b, x => x.Kl, "F1"))]);
        table.AddRow(["active latents (KL > 0.01)", .. betas.Select(b => Cell(b, x => x.ActiveDimensions, "F1"))]);
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"{r.Images} factor sprites, {options.LatentSize} latents, {options.Epochs} epochs, seeds {string.Join(",", seeds)} (mean ± sd over training seeds); {r.Seconds:F0} s in all. "
            + $"Written: {Markup.Escape(string.Join(", ", r.Files))}");
        return 0;
    }
}

using System.ComponentModel;
using Glassbox.App.Generation.Explain;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Glassbox.Cli.Commands;

internal sealed class ExplainGeneratorCommand : Command<ExplainGeneratorCommand.Settings>
{
    public sealed class Settings : CommonSettings
    {
        [CommandOption("-m|--model <FOLDER>"), Description("Generator checkpoint folder (from train-generator)")]
        public string? Model { get; init; }

        [CommandOption("--what <KIND>"), Description("traversals, jacobian, latent-attribution, directions, counterfactual or disentanglement")]
        public string? What { get; init; }

        [CommandOption("--classifier <CHECKPOINT>"), Description("Classifier whose decisions are explained (latent-attribution, directions, counterfactual)")]
        public string? Classifier { get; init; }

        [CommandOption("--data <FOLDER>"), Description("MNIST-format data folder (real images; the factors set for disentanglement)")]
        public string? Data { get; init; }

        [CommandOption("--input <NPY>"), Description("Images (N×C×H×W in [0, 1]) to explain or start counterfactuals from, or N×L latent codes (traversals, jacobian, latent-attribution)")]
        public string? Input { get; init; }

        [CommandOption("-n <N>"), Description("Codes or images to explain. Default: 8")]
        public int Count { get; init; } = 8;

        [CommandOption("--target <C>"), Description("Target class index")]
        public int? Target { get; init; }

        [CommandOption("--option <NAME=VALUE>"), Description("A setting of the chosen --what (repeatable); see docs/generation.md")]
        public string[] Options { get; init; } = [];

        [CommandOption("-o|--out <FOLDER>"), Description("Output folder. Default: generator-explanation")]
        public string Out { get; init; } = "generator-explanation";
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(s.Model)) throw new CliUsageException("explain-generator needs -m <generator checkpoint folder>.");
        if (string.IsNullOrWhiteSpace(s.What))
            throw new CliUsageException($"explain-generator needs --what: one of {string.Join(", ", GeneratorExplanations.Names)}.");
        Glassbox.App.RunLimits.CheckThreads(s.Threads);
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string o in s.Options)
        {
            int eq = o.IndexOf('=');
            if (eq <= 0) throw new CliUsageException($"--option '{o}' must be NAME=VALUE.");
            if (!options.TryAdd(o[..eq].Trim(), o[(eq + 1)..].Trim())) throw new CliUsageException($"--option {o[..eq]} is given twice.");
        }
        // Counterfactuals start from real images: without --data or --input they come from the shipped sample, found from
        // anywhere (the library's default is the relative path data/mnist-sample).
        string? data = s.Data ?? (s.What == "counterfactual" && s.Input is null ? Paths.ShippedSample() : null);
        var request = new ExplainGeneratorRequest(s.Model, s.What, s.Out, s.Classifier, data, s.Input, s.Count, s.Seed, s.Target, options);
        request.Validate();
        var result = AnsiConsole.Progress().AutoClear(true).Start(p =>
            ExplainGeneratorJob.Run(request, new ConsoleObserver(p), cancellationToken, s.Device, s.Threads));
        var table = new Table().AddColumns("Measure", "Value");
        void Add(string key, object? value)
        {
            if (value is IFormattable or string) table.AddRow(Markup.Escape(key), Markup.Escape(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? ""));
        }
        // Scalars, and the scalars one level down (e.g. revise.validity); arrays stay in explain-generator.json.
        foreach (var (key, value) in result.Summary)
        {
            if (value is IReadOnlyDictionary<string, object?> inner)
                foreach (var (k2, v2) in inner) Add($"{key}.{k2}", v2);
            else if (value is IDictionary<string, object?> inner2)
                foreach (var (k2, v2) in inner2) Add($"{key}.{k2}", v2);
            else Add(key, value);
        }
        if (table.Rows.Count > 0) AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"{Markup.Escape(result.What)} in {result.Seconds:F1} s, written to [bold]{Markup.Escape(result.Folder)}[/]: "
            + Markup.Escape(string.Join(", ", result.Files)));
        return 0;
    }
}

using System.ComponentModel;
using System.Text.Json;
using Glassbox.App;
using Glassbox.Attribution.Catalog;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Glassbox.Cli.Commands;

internal sealed class MethodsCommand : Command<MethodsCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[METHOD]"), Description("Show one method's options with their defaults, ranges and Captum/SHAP names")]
        public string? Method { get; init; }

        [CommandOption("--json"), Description("Print the catalog with every method's option schema as JSON (what the web explorer renders forms from)")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var catalog = MethodCatalog.Default;
        var entries = s.Method is null ? catalog.Entries.ToList() : [catalog.Get(s.Method)];
        if (s.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(MethodSchemaJson.Of(entries), MethodSchemaJson.Options));
            return 0;
        }
        if (s.Method is not null) return Detail(entries[0]);
        var ordered = entries.OrderBy(e => e.Family, StringComparer.Ordinal).ThenBy(e => e.Name, StringComparer.Ordinal).ToList();
        if (AnsiConsole.Profile.Width < 120) Compact(ordered);
        else
        {
            var table = new Table().AddColumns("Method", "Family", "Model must support", "Options", "What it computes");
            table.Columns[0].NoWrap();
            foreach (var e in ordered)
                table.AddRow(Markup.Escape(e.Name), Markup.Escape(e.Family), Needs(e.Requirement),
                    Markup.Escape(string.Join(" ", e.Options.Where(f => !MethodEntry.CommonFlags.Contains(f.Flag)).Select(f => f.CommandLine))), Markup.Escape(e.Summary));
            AnsiConsole.Write(table);
        }
        AnsiConsole.MarkupLine("Every method also takes --nt-type/--nt-samples/--nt-stdevs (noise tunnel), --output and --seed. " +
            "'glassbox methods NAME' shows one method's options; --json the whole schema. Details: docs/cli.md and docs/methods/.");
        return 0;
    }

    // One line per method, grouped by family: readable in an 80-column terminal.
    private static void Compact(IReadOnlyList<MethodEntry> entries)
    {
        foreach (var family in entries.GroupBy(e => e.Family))
        {
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(family.Key)}[/]");
            foreach (var e in family)
                AnsiConsole.MarkupLine($"  {Markup.Escape(e.Name),-24} {ShortNeeds(e.Requirement)}");
        }
    }

    private static int Detail(MethodEntry e)
    {
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(e.Name)}[/] ({Markup.Escape(e.Family)}; needs {Needs(e.Requirement)})");
        AnsiConsole.MarkupLine(Markup.Escape(e.Summary));
        // One block per option (flag, then default, range and reference name, then help): readable at any width.
        foreach (var f in e.Options.Concat(MethodEntry.NoiseTunnelSchema.Fields.Where(f => f.Flag != "seed")))
        {
            var facts = new List<string> { $"default {f.Default ?? "none"}", Range(f) };
            if (f.Reference is { } r) facts.Add($"Captum/SHAP: {r}");
            AnsiConsole.MarkupLine($"  [bold]{Markup.Escape(f.CommandLine)}[/]  ({Markup.Escape(string.Join("; ", facts))})");
            AnsiConsole.MarkupLine($"      {Markup.Escape(f.Help)}");
        }
        return 0;
    }

    private static string Range(OptionField f)
    {
        if (f.Choices is { } c) return string.Join(" | ", c);
        if (f.Min is null && f.Max is null) return f.Kind;
        return $"{f.Kind} {(f.Min is { } lo ? $"≥ {Glassbox.Visualization.NumberFormat.Shortest(lo)}" : "")}{(f.Min is not null && f.Max is not null ? ", " : "")}{(f.Max is { } hi ? $"≤ {Glassbox.Visualization.NumberFormat.Shortest(hi)}" : "")}";
    }

    private static string Needs(MethodRequirement r) => r switch
    {
        MethodRequirement.Forward => "forward only (any model, incl. ONNX)",
        MethodRequirement.Gradients => "gradients (built-in, spec, TorchScript)",
        _ => "visible layers (built-in, spec)",
    };

    private static string ShortNeeds(MethodRequirement r) => r switch
    {
        MethodRequirement.Forward => "any model",
        MethodRequirement.Gradients => "gradients",
        _ => "visible layers",
    };
}

using Glassbox.Workflow.Methods;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Glassbox.Cli.Commands;

internal sealed class MethodsCommand : Command
{
    public override int Execute(CommandContext context, CancellationToken cancellationToken)
    {
        var table = new Table().AddColumns("Method", "Family", "Model must support", "Options", "What it computes");
        table.Columns[0].NoWrap();
        foreach (var e in MethodCatalog.Default.Entries.OrderBy(e => e.Family, StringComparer.Ordinal).ThenBy(e => e.Name, StringComparer.Ordinal))
        {
            string needs = e.Requirement switch
            {
                MethodRequirement.Forward => "forward only (any model, incl. ONNX)",
                MethodRequirement.Gradients => "gradients (built-in, spec, TorchScript)",
                _ => "visible layers (built-in, spec)",
            };
            table.AddRow(Markup.Escape(e.Name), Markup.Escape(e.Family), needs, Markup.Escape(string.Join(" ", e.Options)), Markup.Escape(e.Summary));
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("Every method also takes --nt-type/--nt-samples/--nt-stdevs (noise tunnel), --output and --seed. Details: docs/cli.md and docs/methods/.");
        return 0;
    }
}

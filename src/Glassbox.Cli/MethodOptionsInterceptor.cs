using Glassbox.Attribution.Catalog;
using Spectre.Console.Cli;

namespace Glassbox.Cli;

/// <summary>Settings of a command that passes method options (<c>--n-steps 64</c>, ...) through to the method catalog.</summary>
internal interface IMethodOptionsSettings
{
    /// <summary>Method flags (without dashes) → text, as typed; filled before the command runs.</summary>
    Dictionary<string, string> MethodOptions { get; }
}

/// <summary>
/// Binds the flags a command does not declare: commands with <see cref="IMethodOptionsSettings"/> receive the flags the
/// method catalog knows (every method's options, the noise tunnel's, baselines), so a new option needs no CLI edit;
/// anything else — and any undeclared flag on other commands — is an error, as strict parsing would make it.
/// </summary>
internal sealed class MethodOptionsInterceptor(MethodCatalog catalog) : ICommandInterceptor
{
    private readonly HashSet<string> _known = catalog.Entries.SelectMany(e => e.Options).Select(f => f.Flag)
        .Concat(MethodEntry.NoiseTunnelSchema.Fields.Select(f => f.Flag)).ToHashSet(StringComparer.Ordinal);

    public void Intercept(CommandContext context, CommandSettings settings)
    {
        var remaining = context.Remaining;
        var target = settings as IMethodOptionsSettings;
        foreach (var group in remaining.Parsed)
        {
            string flag = group.Key.TrimStart('-');
            if (target is null || !_known.Contains(flag))
                throw new CliUsageException($"Unknown option '--{flag}'." + (target is null ? "" : " Method options are listed by 'glassbox methods NAME'."));
            var values = group.ToList();
            if (values.Count != 1 || string.IsNullOrWhiteSpace(values[0]))
                throw new GlassboxException($"--{flag} needs one value (e.g. --{flag} VALUE).");
            target.MethodOptions[flag] = values[0]!;
        }
        if (remaining.Raw.Count > 0)
            throw new CliUsageException($"Unexpected argument '{remaining.Raw[0]}'.");
    }
}

/// <summary>A command line that does not parse (an unknown flag): exit code 2 and a pointer to --help, as Spectre's own parse errors.</summary>
internal sealed class CliUsageException(string message) : Exception(message);

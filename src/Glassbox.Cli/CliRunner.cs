using Spectre.Console;
using Spectre.Console.Cli;

namespace Glassbox.Cli;

/// <summary>Turns user errors into one red line and exit code 1; only genuine bugs show a stack trace.</summary>
internal static class CliRunner
{
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (UserMessage(e) is string message)
        {
            WriteError(message);
            return e is CommandParseException or CommandRuntimeException or CliUsageException ? 2 : 1;
        }
        catch (OperationCanceledException)
        {
            AnsiConsole.MarkupLine("[yellow]cancelled[/]");
            return 130;
        }
    }

    /// <summary>
    /// Prints the message on one line. Spectre wraps markup at the console width (80 columns when output is
    /// redirected), which would split a long path over several lines of a log; redirected output gets plain text.
    /// </summary>
    private static void WriteError(string message)
    {
        if (Console.IsOutputRedirected) Console.Out.WriteLine($"error: {message}");
        else AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
    }

    private static string? UserMessage(Exception e) => e switch
    {
        GlassboxException g => g.Message,
        CommandParseException or CommandRuntimeException or CliUsageException => e.Message + " (see --help)",
        FileNotFoundException f => $"File not found: {f.FileName ?? f.Message}",
        DirectoryNotFoundException d => d.Message,
        UnauthorizedAccessException u => $"Permission denied: {u.Message}",
        IOException io => $"I/O error: {io.Message}",
        AggregateException { InnerExceptions.Count: 1 } a => UserMessage(a.InnerException!),
        _ => null,
    };
}

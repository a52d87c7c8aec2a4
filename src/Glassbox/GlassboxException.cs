namespace Glassbox;

/// <summary>An error caused by the user's input or environment; its message says what to do.</summary>
public class GlassboxException : Exception
{
    /// <summary>Creates the exception with a message meant for the user.</summary>
    public GlassboxException(string message) : base(message) { }

    /// <summary>Creates the exception with a message meant for the user and the underlying cause.</summary>
    public GlassboxException(string message, Exception inner) : base(message, inner) { }
}

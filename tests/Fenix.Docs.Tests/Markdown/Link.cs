using System.Text.RegularExpressions;

namespace Fenix.Docs.Tests.Markdown;

/// <summary>A link target written in a Markdown file (outside code), at a 1-based line.</summary>
internal sealed partial record Link(string Document, int Line, string Target)
{
    /// <summary>True for a target with a scheme (<c>https:</c>, <c>mailto:</c>) or a network path (<c>//host/…</c>).</summary>
    public bool IsAbsolute => Target.StartsWith("//", StringComparison.Ordinal) || Scheme().IsMatch(Target) ||
                              Target.StartsWith("www.", StringComparison.OrdinalIgnoreCase);

    /// <summary>A URL of this machine (<c>http://127.0.0.1:4000</c>): where the reader runs the demo, not a page elsewhere.</summary>
    public bool IsLoopback => Uri.TryCreate(Target, UriKind.Absolute, out var uri) && uri.IsLoopback;

    public override string ToString() => $"{Document}:{Line}: {Target}";

    [GeneratedRegex("^[a-zA-Z][a-zA-Z0-9+.-]*:")]
    private static partial Regex Scheme();
}

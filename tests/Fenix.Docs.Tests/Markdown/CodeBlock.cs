namespace Fenix.Docs.Tests.Markdown;

/// <summary>
/// A fenced code block: <paramref name="Language"/> and <paramref name="Attributes"/> are the words of its info string
/// (<c>```csharp fragment</c>), <paramref name="Line"/> the 1-based line of its first code line.
/// </summary>
internal sealed record CodeBlock(string Document, int Line, string Language, IReadOnlyList<string> Attributes, string Code)
{
    public bool Has(string attribute) => Attributes.Contains(attribute, StringComparer.Ordinal);

    public override string ToString() => $"{Document}:{Line}";
}

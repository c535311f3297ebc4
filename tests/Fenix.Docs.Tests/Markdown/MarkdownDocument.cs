using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Fenix.Docs.Tests.Markdown;

/// <summary>
/// The parts of a Markdown file these tests read: fenced code blocks, link targets outside code, and the anchors its
/// headings get on GitHub. A deliberately small reader of CommonMark: fences, inline code, links, autolinks, bare URLs.
/// </summary>
internal sealed partial class MarkdownDocument
{
    private MarkdownDocument(string path, IReadOnlyList<CodeBlock> blocks, IReadOnlyList<Link> links, IReadOnlySet<string> anchors)
    {
        Path = path;
        CodeBlocks = blocks;
        Links = links;
        Anchors = anchors;
    }

    /// <summary>The path relative to the repository root, with forward slashes.</summary>
    public string Path { get; }

    public IReadOnlyList<CodeBlock> CodeBlocks { get; }

    public IReadOnlyList<Link> Links { get; }

    /// <summary>The fragment ids of the headings (<c>#writing-a-fenix-server</c> without the <c>#</c>).</summary>
    public IReadOnlySet<string> Anchors { get; }

    public static MarkdownDocument Load(string relativePath) =>
        Parse(relativePath, File.ReadAllText(Repository.FullPath(relativePath)));

    public static MarkdownDocument Parse(string path, string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var blocks = new List<CodeBlock>();
        var links = new List<Link>();
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var slugCounts = new Dictionary<string, int>(StringComparer.Ordinal);

        for (var i = 0; i < lines.Length; i++)
        {
            var fence = FenceOpen().Match(lines[i]);
            if (fence.Success)
            {
                var marker = fence.Groups["marker"].Value;
                var info = fence.Groups["info"].Value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var code = new StringBuilder();
                var start = i + 2;
                for (i++; i < lines.Length && !IsFenceClose(lines[i], marker); i++)
                {
                    code.Append(lines[i]).Append('\n');
                }

                blocks.Add(new CodeBlock(path, start, info.Length > 0 ? info[0] : "", info.Skip(1).ToList(), code.ToString()));
                continue;
            }

            var heading = Heading().Match(lines[i]);
            if (heading.Success)
            {
                var slug = Slug(heading.Groups["text"].Value);
                var count = slugCounts.GetValueOrDefault(slug);
                slugCounts[slug] = count + 1;
                anchors.Add(count == 0 ? slug : $"{slug}-{count}");
            }

            links.AddRange(LinksIn(path, i + 1, lines[i]));
        }

        return new MarkdownDocument(path, blocks, links, anchors);
    }

    /// <summary>GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens.</summary>
    public static string Slug(string heading)
    {
        var text = InlineCode().Replace(heading, "$1");
        var slug = new StringBuilder();
        foreach (var c in text.Trim().ToLower(CultureInfo.InvariantCulture))
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_')
            {
                slug.Append(c);
            }
            else if (c == ' ')
            {
                slug.Append('-');
            }
        }

        return slug.ToString();
    }

    private static bool IsFenceClose(string line, string marker)
    {
        var trimmed = line.TrimStart();
        return line.Length - trimmed.Length < 4 && trimmed.StartsWith(marker, StringComparison.Ordinal) && trimmed.Trim().Trim(marker[0]).Length == 0;
    }

    private static IEnumerable<Link> LinksIn(string path, int lineNumber, string line)
    {
        var prose = InlineCodeSpan().Replace(line, match => new string(' ', match.Length));
        foreach (Match match in InlineLink().Matches(prose))
        {
            yield return new Link(path, lineNumber, match.Groups["target"].Value);
        }

        foreach (Match match in ReferenceDefinition().Matches(prose))
        {
            yield return new Link(path, lineNumber, match.Groups["target"].Value);
        }

        foreach (Match match in HtmlLink().Matches(prose))
        {
            yield return new Link(path, lineNumber, match.Groups["target"].Value);
        }

        // Autolinks (<https://…>) and bare URLs, which GitHub turns into links as well.
        var withoutLinks = InlineLink().Replace(prose, "");
        foreach (Match match in BareUrl().Matches(withoutLinks))
        {
            yield return new Link(path, lineNumber, match.Value.TrimEnd('.', ',', ')', ';', ':', '>'));
        }
    }

    [GeneratedRegex(@"^ {0,3}(?<marker>`{3,}|~{3,})(?<info>[^`]*)$")]
    private static partial Regex FenceOpen();

    [GeneratedRegex(@"^ {0,3}#{1,6}\s+(?<text>.*?)\s*#*\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"`+([^`]*)`+")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"(`+)(?:(?!\1).)+?\1")]
    private static partial Regex InlineCodeSpan();

    [GeneratedRegex(@"!?\[[^\]]*\]\(\s*<?(?<target>[^)\s>]+)>?(?:\s+""[^""]*"")?\s*\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"^ {0,3}\[[^\]]+\]:\s*<?(?<target>\S+?)>?(?:\s|$)")]
    private static partial Regex ReferenceDefinition();

    [GeneratedRegex(@"(?:href|src)\s*=\s*[""'](?<target>[^""']+)[""']", RegexOptions.IgnoreCase)]
    private static partial Regex HtmlLink();

    [GeneratedRegex(@"(?:https?|ftp)://[^\s<>`""]+|www\.[^\s<>`""]+", RegexOptions.IgnoreCase)]
    private static partial Regex BareUrl();
}

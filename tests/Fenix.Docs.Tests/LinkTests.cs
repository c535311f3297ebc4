using Fenix.Docs.Tests.Markdown;
using Xunit;

namespace Fenix.Docs.Tests;

/// <summary>Nothing in the repository's Markdown links outside it, and every link inside it arrives somewhere.</summary>
public sealed class LinkTests
{
    public static TheoryData<string> Documents() => new(Repository.MarkdownFiles());

    [Theory]
    [MemberData(nameof(Documents))]
    public void No_link_leaves_the_repository_and_every_link_resolves(string document)
    {
        var problems = MarkdownDocument.Load(document).Links.Select(Problem).OfType<string>().ToList();

        Assert.True(problems.Count == 0, $"Links in {document}:\n{string.Join('\n', problems)}");
    }

    [Fact]
    public void Links_to_other_sites_and_outside_the_clone_are_refused()
    {
        var document = MarkdownDocument.Parse("docs/example.md", """
            See [the spec](../shared/protocol.md), [Phoenix](https://hexdocs.pm/phoenix), <https://example.org/x>,
            https://github.com/phoenixframework/phoenix and [a missing page](nowhere.md), [a missing part](guide.md#nowhere).
            Open http://127.0.0.1:4000 in a browser; `https://in.code/is/not/a/link` and [the guide](guide.md#tokens) are fine.

            ```bash
            curl https://in.a.code.block/either
            ```
            """);

        var problems = document.Links.Select(Problem).OfType<string>().ToList();

        Assert.Equal(6, problems.Count);
        Assert.Contains(problems, problem => problem.Contains("../shared/protocol.md", StringComparison.Ordinal));
        Assert.Contains(problems, problem => problem.Contains("https://hexdocs.pm/phoenix", StringComparison.Ordinal));
        Assert.Contains(problems, problem => problem.Contains("https://example.org/x", StringComparison.Ordinal));
        Assert.Contains(problems, problem => problem.Contains("https://github.com/phoenixframework/phoenix", StringComparison.Ordinal));
        Assert.Contains(problems, problem => problem.Contains("nowhere.md", StringComparison.Ordinal));
        Assert.Contains(problems, problem => problem.Contains("guide.md#nowhere", StringComparison.Ordinal));
    }

    [Fact]
    public void Heading_anchors_follow_github()
    {
        Assert.Equal("a-socket-and-a-channel", MarkdownDocument.Slug("A socket and a channel"));
        Assert.Equal("limits-and-close-codes", MarkdownDocument.Slug("Limits and close codes"));
        Assert.Equal("fenixclient-a-net-client", MarkdownDocument.Slug("`Fenix.Client`: a .NET client"));
    }

    /// <summary>What is wrong with <paramref name="link"/>, or null.</summary>
    private static string? Problem(Link link)
    {
        if (link.IsAbsolute)
        {
            return link.IsLoopback ? null : $"{link}: links outside the repository (a reader with a clone cannot follow it; put the content in docs/)";
        }

        var hash = link.Target.IndexOf('#', StringComparison.Ordinal);
        var path = Uri.UnescapeDataString(hash < 0 ? link.Target : link.Target[..hash]);
        var anchor = hash < 0 ? null : link.Target[(hash + 1)..];
        var documentDirectory = Path.GetDirectoryName(Repository.FullPath(link.Document))!;
        var target = path.Length == 0 ? Repository.FullPath(link.Document) : Path.GetFullPath(Path.Combine(documentDirectory, path));

        if (!target.StartsWith(Repository.Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return $"{link}: points outside the repository";
        }

        if (!File.Exists(target) && !Directory.Exists(target))
        {
            return $"{link}: no such file";
        }

        if (anchor is { Length: > 0 } && target.EndsWith(".md", StringComparison.OrdinalIgnoreCase) &&
            !MarkdownDocument.Load(Path.GetRelativePath(Repository.Root, target)).Anchors.Contains(anchor))
        {
            return $"{link}: no heading #{anchor} in {Path.GetRelativePath(Repository.Root, target)}";
        }

        return null;
    }
}

using Fenix.Docs.Tests.Markdown;
using Fenix.Docs.Tests.Snippets;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Fenix.Docs.Tests;

/// <summary>Every C# block in the repository's Markdown compiles, and user code needs no namespace a user cannot guess.</summary>
public sealed class SnippetTests
{
    /// <summary>The namespaces a snippet may import from Fenix: the server's, the client's and the test kit's.</summary>
    private static readonly string[] UserNamespaces = ["Fenix", "Fenix.Client", "Fenix.Testing"];

    public static TheoryData<string> DocumentsWithCSharp()
    {
        var data = new TheoryData<string>();
        foreach (var path in Repository.MarkdownFiles())
        {
            if (MarkdownDocument.Load(path).CodeBlocks.Any(SnippetCompiler.IsCSharp))
            {
                data.Add(path);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DocumentsWithCSharp))]
    public void Every_csharp_block_compiles(string document)
    {
        var errors = SnippetCompiler.Compile(MarkdownDocument.Load(document).CodeBlocks);

        Assert.True(errors.Count == 0, $"C# in {document} does not compile:\n{string.Join('\n', errors)}");
    }

    [Theory]
    [MemberData(nameof(DocumentsWithCSharp))]
    public void Snippets_import_only_the_packages_user_namespaces(string document)
    {
        var strays = StrayUsings(MarkdownDocument.Load(document));

        Assert.True(strays.Count == 0, $"User code should need only `using Fenix;` (Fenix.Client / Fenix.Testing for those packages; Fenix.PubSub.* on adapter authors' pages):\n{string.Join('\n', strays)}");
    }

    [Fact]
    public void An_internal_namespace_in_the_readme_is_a_stray()
    {
        var readme = MarkdownDocument.Parse("README.md", """
            ```csharp
            using Fenix;
            using Fenix.Presence;
            using Fenix.PubSub;
            using System.Text.Json;
            ```
            """);
        var cluster = MarkdownDocument.Parse("docs/cluster.md", """
            ```csharp fragment
            using Fenix.PubSub;
            using Fenix.Protocol;
            ```
            """);

        Assert.Equal(["README.md:2: using Fenix.Presence;", "README.md:2: using Fenix.PubSub;"], StrayUsings(readme));
        Assert.Equal(["docs/cluster.md:2: using Fenix.Protocol;"], StrayUsings(cluster));
    }

    private static List<string> StrayUsings(MarkdownDocument document) => document.CodeBlocks
        .Where(SnippetCompiler.IsCSharp)
        .SelectMany(block => CSharpSyntaxTree.ParseText(block.Code).GetCompilationUnitRoot().Usings
            .Select(directive => (block, name: directive.Name?.ToString() ?? "")))
        .Where(item => item.name.StartsWith("Fenix", StringComparison.Ordinal) && !UserNamespaces.Contains(item.name) &&
                       !IsAdapterAuthorsPage(document.Path, item.name))
        .Select(item => $"{item.block}: using {item.name};")
        .ToList();

    /// <summary>
    /// Outside the README and the guide (application code), pages for adapter authors may import the PubSub namespaces
    /// (<c>Fenix.PubSub</c>, <c>.Adapters</c>, <c>.Specification</c>, an adapter's own): that is the API they extend.
    /// </summary>
    private static bool IsAdapterAuthorsPage(string document, string name) =>
        document is not ("README.md" or "docs/guide.md") &&
        (name == "Fenix.PubSub" || name.StartsWith("Fenix.PubSub.", StringComparison.Ordinal));

    [Fact]
    public void The_docs_are_found_and_hold_csharp()
    {
        var documents = DocumentsWithCSharp().Select(row => row.Data).ToList();

        Assert.Contains("README.md", documents);
        Assert.Contains("docs/guide.md", documents);
    }

    [Fact]
    public void A_block_that_does_not_compile_is_reported_at_its_markdown_line()
    {
        var document = MarkdownDocument.Parse("docs/example.md", """
            # Example

            ```csharp
            using Fenix;

            var builder = WebApplication.CreateBuilder(args);
            builder.Services.AddFenix();
            builder.Services.AddFenixx();
            ```
            """);

        var errors = SnippetCompiler.Compile(document.CodeBlocks);

        var error = Assert.Single(errors);
        Assert.StartsWith("docs/example.md:8: CS1061", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Fragments_of_a_document_compile_together_with_builder_and_app_in_scope()
    {
        var document = MarkdownDocument.Parse("docs/example.md", """
            ```csharp fragment
            builder.Services.AddFenix();
            app.MapFenixSocket<LobbySocket>("/socket");
            ```

            ```csharp fragment
            using Fenix;

            public sealed class LobbySocket : FenixSocket
            {
                public LobbySocket() => Channel<LobbyChannel>("lobby");
            }

            public sealed class LobbyChannel : Channel
            {
                public override ValueTask<JoinResult> JoinAsync(Payload payload) => JoinResult.Ok(new { topic = Topic });
            }
            ```

            ```csharp fragment
            var socket = "a local of this fragment only";
            app.MapGet("/", () => socket);
            ```
            """);

        Assert.Empty(SnippetCompiler.Compile(document.CodeBlocks));
    }

    [Fact]
    public void A_fragment_that_uses_a_type_no_fragment_declares_fails()
    {
        var document = MarkdownDocument.Parse("docs/example.md", """
            ```csharp fragment
            app.MapFenixSocket<MissingSocket>("/socket");
            ```
            """);

        var error = Assert.Single(SnippetCompiler.Compile(document.CodeBlocks));
        Assert.StartsWith("docs/example.md:2: CS0246", error, StringComparison.Ordinal);
    }
}

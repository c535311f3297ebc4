using System.Text;
using Fenix.Docs.Tests.Markdown;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Fenix.Docs.Tests.Snippets;

/// <summary>
/// Compiles the C# blocks of one Markdown document with Roslyn against the assemblies this test runs with (the .NET
/// and ASP.NET Core shared frameworks, every library in src/, xunit), with the implicit usings of a
/// <c>dotnet new web</c> app. Two kinds of block (the fence's info string says which):
/// <list type="bullet">
/// <item><c>```csharp</c>: a complete file, compiled on its own (a program when it has top-level statements).</item>
/// <item><c>```csharp fragment</c>: part of the document's running example. All fragments of a document compile
/// together: their types as written, their statements in a method where <c>builder</c> (the
/// <c>WebApplicationBuilder</c>) and <c>app</c> (the <c>WebApplication</c>) are in scope.</item>
/// </list>
/// </summary>
internal static class SnippetCompiler
{
    /// <summary>The global usings of an SDK-style web project (Microsoft.NET.Sdk.Web with ImplicitUsings).</summary>
    public static readonly string[] ImplicitUsings =
    [
        "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Net.Http.Json",
        "System.Threading", "System.Threading.Tasks", "Microsoft.AspNetCore.Builder", "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Http", "Microsoft.AspNetCore.Routing", "Microsoft.Extensions.Configuration",
        "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging",
    ];

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<List<MetadataReference>> References = new(LoadReferences);

    public static bool IsCSharp(CodeBlock block) => block.Language is "csharp" or "cs" or "c#";

    /// <summary>Compiles every C# block of <paramref name="blocks"/>; returns the errors, each located in the Markdown file.</summary>
    public static IReadOnlyList<string> Compile(IReadOnlyList<CodeBlock> blocks)
    {
        var errors = new List<string>();
        var csharp = blocks.Where(IsCSharp).ToList();
        foreach (var block in csharp.Where(block => !block.Has("fragment")))
        {
            errors.AddRange(CompileFile(block));
        }

        var fragments = csharp.Where(block => block.Has("fragment")).ToList();
        if (fragments.Count > 0)
        {
            errors.AddRange(CompileFragments(fragments));
        }

        return errors;
    }

    private static IEnumerable<string> CompileFile(CodeBlock block)
    {
        var tree = Parse(Located(block, block.Line, block.Code), block.Document);
        var isProgram = tree.GetCompilationUnitRoot().Members.OfType<GlobalStatementSyntax>().Any();
        return Errors(Compilation(isProgram ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary, tree));
    }

    private static IEnumerable<string> CompileFragments(List<CodeBlock> fragments)
    {
        var usings = new StringBuilder();
        var statements = new StringBuilder();
        var types = new StringBuilder();
        foreach (var block in fragments)
        {
            var root = CSharpSyntaxTree.ParseText(block.Code, ParseOptions).GetCompilationUnitRoot();
            foreach (var node in root.Usings)
            {
                usings.Append(Located(block, LineOf(block, node), node.ToFullString().Trim())).Append('\n');
            }

            // Each fragment's statements get a method of their own, so two fragments may both declare `var socket`.
            var body = new StringBuilder();
            foreach (var member in root.Members)
            {
                var target = member is GlobalStatementSyntax ? body : types;
                target.Append(Located(block, LineOf(block, member), member.ToFullString().Trim())).Append('\n');
            }

            if (body.Length > 0)
            {
                statements.Append($"    public static async Task Fragment{block.Line}(WebApplicationBuilder builder, WebApplication app)\n    {{\n")
                    .Append(body).Append("#line default\n        await Task.CompletedTask;\n    }\n");
            }
        }

        var source = $"{usings}#line default\ninternal static class DocumentFragments\n{{\n{statements}}}\n{types}";
        return Errors(Compilation(OutputKind.DynamicallyLinkedLibrary, Parse(source, fragments[0].Document)));
    }

    private static int LineOf(CodeBlock block, SyntaxNode node) =>
        block.Line + node.GetLocation().GetLineSpan().StartLinePosition.Line;

    /// <summary>Maps the code that follows to <paramref name="line"/> of the Markdown file, so errors point there.</summary>
    private static string Located(CodeBlock block, int line, string code) => $"#line {line} \"{block.Document}\"\n{code}\n";

    private static SyntaxTree Parse(string source, string path) => CSharpSyntaxTree.ParseText(source, ParseOptions, path, Encoding.UTF8);

    private static CSharpCompilation Compilation(OutputKind kind, SyntaxTree tree)
    {
        var globalUsings = CSharpSyntaxTree.ParseText(
            string.Concat(ImplicitUsings.Select(name => $"global using global::{name};\n")), ParseOptions, "GlobalUsings.g.cs");
        var options = new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable);
        return CSharpCompilation.Create("Snippet", [globalUsings, tree], References.Value, options);
    }

    private static IEnumerable<string> Errors(CSharpCompilation compilation)
    {
        using var output = new MemoryStream();
        var result = compilation.Emit(output);
        return result.Diagnostics
            .Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error)
            .Select(diagnostic =>
            {
                var span = diagnostic.Location.GetMappedLineSpan();
                return $"{span.Path}:{span.StartLinePosition.Line + 1}: {diagnostic.Id} {diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
            });
    }

    private static List<MetadataReference> LoadReferences()
    {
        // The shared frameworks the test runs on (it references Microsoft.AspNetCore.App), then the libraries next to it.
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var local = Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll");
        return platform.Concat(local)
            .Where(path => !Path.GetFileName(path).StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal))
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(group => (MetadataReference)MetadataReference.CreateFromFile(group.First()))
            .ToList();
    }
}

using System.IO.Compression;
using System.Reflection.Metadata;
using System.Xml.Linq;
using Xunit;

namespace Fenix.Templates.Tests;

/// <summary>The packages `dotnet pack` makes at the root: one per library in src/ plus the templates, each complete.</summary>
public sealed class PackageTests(PackedFeed feed)
{
    /// <summary>The libraries (every project under src/) and the templates: nothing from tests/, samples/ or bench/.</summary>
    private static List<string> ExpectedIds() =>
        Directory.GetDirectories(Path.Combine(Repository.Root, "src"))
            .Where(directory => Directory.GetFiles(directory, "*.csproj").Length > 0)
            .Select(directory => Path.GetFileName(directory))
            .Append("Fenix.Templates")
            .Order(StringComparer.Ordinal)
            .ToList();

    private static List<string> LibraryIds() => ExpectedIds().Where(id => id != "Fenix.Templates").ToList();

    [Fact]
    public void The_pack_makes_every_package_a_user_needs_and_nothing_else()
    {
        var ids = feed.Packages.Select(path => Path.GetFileName(path)[..^$".{Repository.Version}.nupkg".Length]).ToList();

        Assert.Equal(ExpectedIds(), ids);
        Assert.Superset(
            new HashSet<string>
            {
                "Fenix.AspNetCore", "Fenix.Client", "Fenix.Testing", "Fenix.AspNetCore.RabbitMQ", "Fenix.AspNetCore.Redis",
                "Fenix.PubSub.Specification", "Fenix.Templates",
            },
            ids.ToHashSet());
    }

    [Fact]
    public void Each_library_package_has_its_metadata_readme_xml_docs_and_symbols_with_sources()
    {
        foreach (var id in LibraryIds())
        {
            using var package = ZipFile.OpenRead(feed.PackageFile(id));
            var metadata = Nuspec(package).Descendants().Single(e => e.Name.LocalName == "metadata");
            string Field(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value ?? "";

            Assert.Equal(id, Field("id"));
            Assert.Equal(Repository.Version, Field("version"));
            Assert.False(string.IsNullOrWhiteSpace(Field("description")), $"{id}: description");
            Assert.Equal("MIT", Field("license"));
            Assert.Equal("README.md", Field("readme"));
            Assert.NotNull(package.GetEntry("README.md"));
            Assert.StartsWith($"# {id}", ReadText(package, "README.md"), StringComparison.Ordinal);
            var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
            Assert.Equal("git", repository.Attribute("type")?.Value);
            Assert.StartsWith("https://", repository.Attribute("url")?.Value, StringComparison.Ordinal);
            Assert.NotNull(package.GetEntry($"lib/net10.0/{id}.dll"));
            Assert.NotNull(package.GetEntry($"lib/net10.0/{id}.xml"));

            using var symbols = ZipFile.OpenRead(Path.ChangeExtension(feed.PackageFile(id), ".snupkg"));
            var pdb = symbols.GetEntry($"lib/net10.0/{id}.pdb") ?? throw new InvalidOperationException($"{id}: no PDB in the .snupkg");
            Assert.True(EmbeddedSourceCount(pdb) > 0, $"{id}: the PDB embeds no sources");
        }
    }

    [Theory]
    [InlineData("Fenix.AspNetCore", new[] { "Fenix.Protocol", "Fenix.PubSub", "Fenix.Presence" })]
    [InlineData("Fenix.Testing", new[] { "Fenix.AspNetCore" })]
    [InlineData("Fenix.Client", new[] { "Fenix.Protocol" })]
    [InlineData("Fenix.PubSub.RabbitMQ", new[] { "Fenix.PubSub" })]
    [InlineData("Fenix.AspNetCore.RabbitMQ", new[] { "Fenix.AspNetCore", "Fenix.PubSub.RabbitMQ" })]
    [InlineData("Fenix.PubSub.Redis", new[] { "Fenix.PubSub" })]
    [InlineData("Fenix.AspNetCore.Redis", new[] { "Fenix.AspNetCore", "Fenix.PubSub.Redis" })]
    [InlineData("Fenix.PubSub.Specification", new[] { "Fenix.PubSub" })]
    public void A_package_brings_the_Fenix_packages_it_needs_at_the_same_version(string id, string[] dependencies)
    {
        using var package = ZipFile.OpenRead(feed.PackageFile(id));
        var declared = Nuspec(package).Descendants().Where(e => e.Name.LocalName == "dependency")
            .ToDictionary(e => e.Attribute("id")!.Value, e => e.Attribute("version")!.Value);

        foreach (var dependency in dependencies)
        {
            Assert.True(declared.TryGetValue(dependency, out var version), $"{id} does not depend on {dependency}");
            Assert.Equal(Repository.Version, version);
        }
    }

    [Fact]
    public void The_templates_package_holds_both_templates_at_this_version()
    {
        using var package = ZipFile.OpenRead(feed.PackageFile("Fenix.Templates"));

        Assert.Contains(Nuspec(package).Descendants(), e => e.Name.LocalName == "packageType" && e.Attribute("name")?.Value == "Template");
        var app = ReadText(package, "content/fenix/.template.config/template.json");
        Assert.Contains("\"shortName\": \"fenix\"", app, StringComparison.Ordinal);
        Assert.Contains($"\"defaultValue\": \"{Repository.Version}\"", app, StringComparison.Ordinal);
        Assert.Contains("\"shortName\": \"fenix-channel\"", ReadText(package, "content/fenix-channel/.template.config/template.json"), StringComparison.Ordinal);
        Assert.DoesNotContain(package.Entries, entry => entry.FullName.Contains("/bin/", StringComparison.Ordinal) ||
                                                        entry.FullName.Contains("/obj/", StringComparison.Ordinal) ||
                                                        entry.FullName.Contains("node_modules", StringComparison.Ordinal));
    }

    private static XDocument Nuspec(ZipArchive package)
    {
        using var stream = package.Entries.Single(entry => entry.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        return XDocument.Load(stream);
    }

    private static string ReadText(ZipArchive package, string path)
    {
        using var reader = new StreamReader((package.GetEntry(path) ?? throw new InvalidOperationException($"no {path} in the package")).Open());
        return reader.ReadToEnd();
    }

    /// <summary>The documents of a portable PDB whose source is embedded (the EmbeddedSource custom debug information).</summary>
    private static int EmbeddedSourceCount(ZipArchiveEntry pdb)
    {
        using var copy = new MemoryStream();
        using (var stream = pdb.Open())
        {
            stream.CopyTo(copy);
        }

        copy.Position = 0;
        using var provider = MetadataReaderProvider.FromPortablePdbStream(copy);
        var reader = provider.GetMetadataReader();
        var embeddedSource = new Guid("0E8A571B-6926-466E-B4AD-8AB04611F5FE");
        return reader.CustomDebugInformation
            .Select(reader.GetCustomDebugInformation)
            .Count(info => info.Parent.Kind == HandleKind.Document && reader.GetGuid(info.Kind) == embeddedSource);
    }
}

using Fenix.IntegrationTests.Infrastructure;
using Xunit;

namespace Fenix.IntegrationTests.Browser;

/// <summary>The Demo's page tests share one Demo process and one browser, and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class DemoPagesCollection : ICollectionFixture<DemoServer>, ICollectionFixture<BrowserFixture>
{
    public const string Name = "demo pages";

    /// <summary>A fresh id, so that each test has its own room or session on the shared server.</summary>
    public static string UniqueId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
}

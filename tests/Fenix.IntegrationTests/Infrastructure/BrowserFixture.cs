using Fenix.IntegrationTests.Browser;
using Microsoft.Playwright;
using Xunit;

namespace Fenix.IntegrationTests.Infrastructure;

/// <summary>
/// Debian's Chromium driven by Playwright (no browser download: the machine's /usr/bin/chromium), headless.
/// Each test opens its own browser contexts (separate cookies and storage, like separate people).
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    /// <summary>
    /// Every expectation of every page test waits as patiently as <see cref="PageExpectations"/>' own (15 s, not
    /// Playwright's 5 s): a loaded 2-core machine running several browsers must not fail a page that is merely slow.
    /// </summary>
    static BrowserFixture() => Assertions.SetDefaultExpectTimeout(PageExpectations.Timeout);

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go, so a reviewer can look at the pages (under the test output).</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    /// <summary>A new page in a fresh context; <paramref name="acceptTestCertificate"/> for servers using the test's self-signed certificate.</summary>
    public async Task<IPage> NewPageAsync(bool acceptTestCertificate = false)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1100, Height = 760 },
            IgnoreHTTPSErrors = acceptTestCertificate,
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(PageExpectations.Timeout); // actions (clicks, fills, waits for functions) too
        return page;
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name), FullPage = true });
}

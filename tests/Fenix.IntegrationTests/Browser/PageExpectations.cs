using Microsoft.Playwright;

namespace Fenix.IntegrationTests.Browser;

/// <summary>
/// Playwright's auto-waiting assertions with a patient timeout (15 s instead of 5 s): a loaded 2-core machine running
/// several browsers must not fail a page that is merely slow. They return as soon as the condition holds.
/// </summary>
internal static class PageExpectations
{
    public const float Timeout = 15_000;

    public static Task ShouldBeVisibleAsync(this ILocator locator) =>
        Assertions.Expect(locator).ToBeVisibleAsync(new() { Timeout = Timeout });

    public static Task ShouldBeHiddenAsync(this ILocator locator) =>
        Assertions.Expect(locator).ToBeHiddenAsync(new() { Timeout = Timeout });

    public static Task ShouldHaveTextAsync(this ILocator locator, string text) =>
        Assertions.Expect(locator).ToHaveTextAsync(text, new() { Timeout = Timeout });

    public static Task ShouldContainTextAsync(this ILocator locator, string text) =>
        Assertions.Expect(locator).ToContainTextAsync(text, new() { Timeout = Timeout });

    public static Task ShouldHaveAttributeAsync(this ILocator locator, string name, string value) =>
        Assertions.Expect(locator).ToHaveAttributeAsync(name, value, new() { Timeout = Timeout });

    public static Task ShouldHaveCountAsync(this ILocator locator, int count) =>
        Assertions.Expect(locator).ToHaveCountAsync(count, new() { Timeout = Timeout });

    public static Task ShouldBeDisabledAsync(this ILocator locator) =>
        Assertions.Expect(locator).ToBeDisabledAsync(new() { Timeout = Timeout });

    public static Task ShouldBeEnabledAsync(this ILocator locator) =>
        Assertions.Expect(locator).ToBeEnabledAsync(new() { Timeout = Timeout });
}

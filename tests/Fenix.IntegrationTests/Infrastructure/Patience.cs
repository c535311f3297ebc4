namespace Fenix.IntegrationTests.Infrastructure;

/// <summary>
/// How long a test waits for something that must happen (a frame, a close, a callback, a span) before it fails. It only
/// bounds a failing run: a passing test goes on as soon as the awaited thing happens, so the bound is generous for a
/// loaded CI machine. Never used to assert that something does not happen (that takes a barrier).
/// </summary>
public static class Patience
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(30);
}

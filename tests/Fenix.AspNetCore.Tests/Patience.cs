namespace Fenix.AspNetCore.Tests;

/// <summary>
/// How long a test waits for something that must happen (a frame, a callback, a settled state) before it fails: the test
/// kit's 3 s default, on a 2-core CI machine running every test assembly at once, is within reach of a stall. It only
/// bounds a failing run (a passing assertion returns at once). Never used to assert that something does not happen.
/// </summary>
public static class Patience
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(30);
}

namespace Fenix.Presence.Diffs;

/// <summary>
/// Topics whose diffs are merged over a window: an exact topic (<c>"rooms:lobby"</c>) or a prefix ending in <c>*</c>
/// (<c>"rooms:*"</c>, which also matches <c>"rooms:"</c>), as channel routes are written.
/// </summary>
internal sealed class CoalescingRule
{
    public CoalescingRule(string pattern, TimeSpan window)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        var star = pattern.IndexOf('*', StringComparison.Ordinal);
        if (star >= 0 && star != pattern.Length - 1)
        {
            throw new ArgumentException(
                $"Coalescing pattern '{pattern}' is invalid: '*' is only allowed as the last character (e.g. \"rooms:*\").", nameof(pattern));
        }

        if (window <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "A coalescing window must be positive.");
        }

        Pattern = pattern;
        Window = window;
        IsPrefix = star >= 0;
        Prefix = IsPrefix ? pattern[..^1] : pattern;
    }

    public string Pattern { get; }

    public TimeSpan Window { get; }

    private bool IsPrefix { get; }

    private string Prefix { get; }

    public bool Matches(string topic) =>
        IsPrefix ? topic.StartsWith(Prefix, StringComparison.Ordinal) : string.Equals(topic, Pattern, StringComparison.Ordinal);
}

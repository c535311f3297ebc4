using System.Text.Json.Serialization;

namespace Demo.Dispatch;

/// <summary>
/// What a hero's page receives as the <c>notification</c> event.
/// </summary>
/// <param name="Kind"><c>all</c>, <c>others</c>, <c>direct</c>, or <c>dispatch</c> (from the background dispatcher).</param>
/// <param name="From">The sending hero, or <c>Dispatch</c>.</param>
/// <param name="SentAt">ISO 8601 UTC time.</param>
public sealed record Notification(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("from")] string From,
    [property: JsonPropertyName("body")] string Body,
    [property: JsonPropertyName("sent_at")] string SentAt)
{
    public const string Event = "notification";
    public const int MaxBody = 280;

    public static Notification Create(string kind, string from, string body, TimeProvider time) =>
        new(kind, from, body, time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
}

namespace Demo.Shared;

/// <summary>Reads the id part of topics such as <c>pointing:lobby</c>: 1–40 characters of a–z, 0–9 and dashes.</summary>
public static class TopicName
{
    public const int MaxIdLength = 40;

    public static bool TryGetId(string topic, string prefix, out string id)
    {
        ArgumentNullException.ThrowIfNull(topic);
        id = topic.StartsWith(prefix, StringComparison.Ordinal) ? topic[prefix.Length..] : "";
        return IsValidId(id);
    }

    public static bool IsValidId(string id) =>
        id.Length is > 0 and <= MaxIdLength && id.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');
}

using System.Text.Json;

namespace Fenix.Client.Transports;

/// <summary>The JSON body of a long-poll answer: <c>{"status": N, "token": "...", "messages": ["frame", ...]}</c>.</summary>
internal sealed record LongPollResponse(int Status, string? Token, IReadOnlyList<string> Messages)
{
    /// <summary>Parses a body; null when it is empty, not JSON, or has no numeric status (phoenix.js then reports status 0).</summary>
    public static LongPollResponse? Parse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object ||
                !root.TryGetProperty("status", out var status) || !status.TryGetInt32(out var code))
            {
                return null;
            }

            var token = root.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            var messages = new List<string>();
            if (root.TryGetProperty("messages", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var message in list.EnumerateArray())
                {
                    // Frames are JSON text inside strings; tolerate a server that inlines them.
                    messages.Add(message.ValueKind == JsonValueKind.String ? message.GetString()! : message.GetRawText());
                }
            }

            return new LongPollResponse(code, token, messages);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

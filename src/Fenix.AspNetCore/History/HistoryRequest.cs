using System.Text.Json;
using Fenix.PubSub.History;

namespace Fenix.AspNetCore.History;

/// <summary>
/// What a client asks of history when it joins, read from the join payload's member <c>"fenix_history"</c>:
/// <c>{"since": "&lt;position&gt;", "last": N}</c>, both optional. <c>since</c> is the position of the last message the
/// client saw (recover everything after it); <c>last</c> asks for the last N messages when there is nothing to recover
/// from or it cannot be recovered (0 to <see cref="HistoryOptions.MaxRecoveryMessages"/>).
/// </summary>
internal readonly record struct HistoryRequest(HistoryPosition? Since, int Last, string? Invalid)
{
    /// <summary>The member of the join payload that carries the request.</summary>
    public const string Member = "fenix_history";

    public static HistoryRequest None { get; } = new(null, 0, null);

    public bool IsInvalid => Invalid is not null;

    /// <summary>Reads the request; a malformed one is returned with <see cref="Invalid"/> saying why (never throws).</summary>
    public static HistoryRequest Parse(Payload payload, int maxLast)
    {
        if (payload.IsBinary || !payload.IsJsonObject)
        {
            return None;
        }

        JsonElement request;
        try
        {
            if (!payload.Json.TryGetProperty(Member, out request))
            {
                return None;
            }
        }
        catch (JsonException)
        {
            return None;
        }

        if (request.ValueKind == JsonValueKind.Null)
        {
            return None;
        }

        if (request.ValueKind != JsonValueKind.Object)
        {
            return Bad($"{Member} must be an object {{\"since\": \"<position>\", \"last\": <count>}}");
        }

        HistoryPosition? since = null;
        if (request.TryGetProperty("since", out var sinceValue) && sinceValue.ValueKind != JsonValueKind.Null)
        {
            if (sinceValue.ValueKind != JsonValueKind.String || !HistoryPosition.TryParse(sinceValue.GetString(), out var position))
            {
                return Bad("since must be a position \"<epoch>:<offset>\" as received from the server");
            }

            since = position;
        }

        var last = 0;
        if (request.TryGetProperty("last", out var lastValue) && lastValue.ValueKind != JsonValueKind.Null)
        {
            if (lastValue.ValueKind != JsonValueKind.Number || !lastValue.TryGetInt32(out last) || last < 0 || last > maxLast)
            {
                return Bad($"last must be an integer from 0 to {maxLast}");
            }
        }

        return new HistoryRequest(since, last, null);
    }

    /// <summary>The store query that answers this request in one read.</summary>
    public HistoryQuery ToQuery(int maxMessages) => IsInvalid ? HistoryQuery.Top : new HistoryQuery(Since, Last, maxMessages);

    private static HistoryRequest Bad(string why) => new(null, 0, why);
}

using System.Text.Json;

namespace Fenix.Bench.LoadGen;

/// <summary>
/// Applies presence frames to a client's member list: <c>presence_state</c> (the whole list, keyed by user) and
/// <c>presence_diff</c> (<c>{"joins":{…},"leaves":{…}}</c>). Diffs may arrive before the state (they are broadcast from
/// the moment the client subscribed, the state is pushed after tracking); the JS client holds such diffs back and
/// applies them after the state. Here the state is merged instead of replacing the list, which gives the same
/// result while users only join, as in this scenario.
/// </summary>
internal static class PresenceTracker
{
    /// <summary>Applies a presence frame to <paramref name="connection"/>; false if the frame is not one.</summary>
    public static bool TryApply(ClientConnection connection, ReadOnlySpan<byte> frame)
    {
        var isState = frame.IndexOf("\"presence_state\""u8) >= 0;
        if (!isState && frame.IndexOf("\"presence_diff\""u8) < 0)
        {
            return false;
        }

        // [join_ref, ref, topic, event, payload]: skip to the payload object.
        var reader = new Utf8JsonReader(frame);
        reader.Read();
        for (var i = 0; i < 4; i++)
        {
            reader.Read();
        }

        reader.Read();
        if (isState)
        {
            ApplyKeys(ref reader, connection.Members, join: true);
            return true;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var join = reader.ValueTextEquals("joins"u8);
            reader.Read();
            ApplyKeys(ref reader, connection.Members, join);
        }

        return true;
    }

    /// <summary>Applies every key of the object the reader is on, leaving the reader on its end.</summary>
    private static void ApplyKeys(ref Utf8JsonReader reader, PresenceMembers members, bool join)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            members.Apply(reader.ValueSpan, join);
            reader.Read();
            reader.Skip();
        }
    }
}

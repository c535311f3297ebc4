namespace Fenix.Bench.LoadGen;

/// <summary>
/// Applies presence frames to a client's member list: <c>presence_state</c> (the whole list, keyed by user) and
/// <c>presence_diff</c> (<c>{"joins":{…},"leaves":{…}}</c>). Diffs may arrive before the state (they are broadcast from
/// the moment the client subscribed, the state is pushed after tracking); the JS client holds such diffs back and
/// applies them after the state. Here the state is merged instead of replacing the list, which gives the same
/// result while users only join, as in this scenario.
/// </summary>
/// <remarks>
/// A storm of N users sends each of the N clients every other user's entry at least once (N² entries, a few hundred
/// MB of JSON at 5,000), so the load generators do not parse it: every entry of a presence map is
/// <c>"&lt;key&gt;":{"metas":[…]}</c>, and the bytes <c>":{"metas":</c> occur nowhere else (inside a JSON string
/// every quote is escaped), so a vectorized search finds the entries and the key is the string just before each. The
/// same holds for <c>"joins":</c> and <c>"leaves":</c> in a diff. A meta whose own value held an object with a
/// <c>metas</c> key would read as an entry; the servers under test send none, and keys that are not users are ignored.
/// </remarks>
internal static class PresenceTracker
{
    private static ReadOnlySpan<byte> EntryMark => "\":{\"metas\":"u8;

    /// <summary>Applies a presence frame to <paramref name="connection"/>; false if the frame is not one.</summary>
    public static bool TryApply(ClientConnection connection, ReadOnlySpan<byte> frame)
    {
        // [join_ref, ref, topic, event, payload]: the payload follows the event.
        var state = frame.IndexOf("\"presence_state\""u8);
        if (state >= 0)
        {
            ApplyEntries(frame[state..], connection.Members, join: true);
            return true;
        }

        var diff = frame.IndexOf("\"presence_diff\""u8);
        if (diff < 0)
        {
            return false;
        }

        var payload = frame[diff..];
        var joins = payload.IndexOf("\"joins\":"u8);
        var leaves = payload.IndexOf("\"leaves\":"u8);
        if (joins < 0 || leaves < 0)
        {
            return true; // not a diff this tracker understands: counted, nothing applied
        }

        // Joins before leaves, as the JS client applies them, whichever comes first in the frame.
        var joinMap = joins < leaves ? payload[joins..leaves] : payload[joins..];
        var leaveMap = joins < leaves ? payload[leaves..] : payload[leaves..joins];
        ApplyEntries(joinMap, connection.Members, join: true);
        ApplyEntries(leaveMap, connection.Members, join: false);
        return true;
    }

    /// <summary>Applies the key of every presence entry in <paramref name="map"/>.</summary>
    private static void ApplyEntries(ReadOnlySpan<byte> map, PresenceMembers members, bool join)
    {
        while (true)
        {
            var at = map.IndexOf(EntryMark);
            if (at < 0)
            {
                return;
            }

            // The key's opening quote, a few bytes back (a plain loop: keys are short).
            var open = at - 1;
            while (open >= 0 && map[open] != (byte)'"')
            {
                open--;
            }

            if (open >= 0)
            {
                members.Apply(map[(open + 1)..at], join);
            }

            map = map[(at + EntryMark.Length)..];
        }
    }
}

using System.Text.Json.Nodes;
using Fenix.IntegrationTests.Infrastructure;
using Xunit;

namespace Fenix.IntegrationTests.JsClient;

/// <summary>
/// A crowd joining and leaving the Chat sample's lobby at once, as the official JS <c>Presence</c> class sees it: the
/// room's diffs are coalesced by default once it gets busy (merged <c>presence_diff</c>s), and every client must still
/// end with exactly the room's members, one meta each. The server is the sample as shipped, in its own process.
/// </summary>
public sealed class ChatCrowdPresenceTests(ChatServer chat) : IClassFixture<ChatServer>
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Every_client_of_a_crowd_that_joins_and_leaves_at_once_ends_with_the_rooms_members(int seed)
    {
        var random = new Random(seed);
        var prefix = $"crowd{seed}-";
        await using var js = await Infrastructure.JsClient.StartAsync();

        // 40 members join at once: far more diffs than a quiet room sends immediately.
        var members = new Dictionary<string, (string Socket, string Channel)>(StringComparer.Ordinal);
        var sockets = new List<(string User, string Socket)>();
        for (var i = 0; i < 40; i++)
        {
            sockets.Add(($"{prefix}{i}", await js.ConnectOpenAsync(chat.BaseUri, "/socket", new { user = $"{prefix}{i}" })));
        }

        foreach (var (user, socket) in sockets)
        {
            members[user] = (socket, await js.JoinAsync(socket, "rooms:lobby", withPresence: true));
        }

        foreach (var (_, channel) in members.Values)
        {
            await js.WaitForJoinAsync(channel);
        }

        // Churn while the room is still busy: 15 random members leave (socket closed) while 6 newcomers join.
        foreach (var user in members.Keys.OrderBy(_ => random.Next()).Take(15).ToList())
        {
            await js.SendAsync(new { cmd = "disconnect", socket = members[user].Socket });
            members.Remove(user);
        }

        var newcomers = new List<string>();
        for (var i = 40; i < 46; i++)
        {
            var user = $"{prefix}{i}";
            var socket = await js.ConnectAsync(chat.BaseUri, "/socket", new { user });
            members[user] = (socket, await js.JoinAsync(socket, "rooms:lobby", withPresence: true));
            newcomers.Add(user);
        }

        foreach (var user in newcomers)
        {
            await js.WaitForJoinAsync(members[user].Channel);
        }

        var expected = members.Keys.ToHashSet(StringComparer.Ordinal);
        foreach (var (user, (_, channel)) in members)
        {
            await SyncedWithAsync(js, channel, expected, $"{user}'s list");
        }

        // The crowd did make the room busy: some clients got merged diffs (several joins in one presence_diff).
        Assert.Contains(js.Events, e => Infrastructure.JsClient.Type(e) == "message" && Infrastructure.JsClient.Str(e, "event") == "presence_diff"
            && e["payload"]!["joins"]!.AsObject().Count(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)) > 1);

        // Barrier: one more member joins. A list that shows her has applied every earlier diff, so a ghost or a
        // missing member left behind by a merged diff would show here.
        var probe = await js.ConnectOpenAsync(chat.BaseUri, "/socket", new { user = $"{prefix}probe" });
        await js.WaitForJoinAsync(await js.JoinAsync(probe, "rooms:lobby", withPresence: true));
        expected.Add($"{prefix}probe");
        foreach (var (user, (_, channel)) in members)
        {
            await SyncedWithAsync(js, channel, expected, $"{user}'s list after the probe joined");
        }
    }

    /// <summary>Waits for a sync of <paramref name="channel"/> listing exactly <paramref name="expected"/> among this crowd's keys, one meta each.</summary>
    private static Task<JsonObject> SyncedWithAsync(Infrastructure.JsClient js, string channel, HashSet<string> expected, string what)
    {
        var prefix = expected.First()[..(expected.First().IndexOf('-', StringComparison.Ordinal) + 1)];
        return js.WaitForAsync(
            e => Infrastructure.JsClient.Type(e) == "presence_sync" && Infrastructure.JsClient.Str(e, "channel") == channel
                && Matches(e["list"]!.AsArray(), prefix, expected),
            $"{what}: exactly {expected.Count} members",
            TimeSpan.FromSeconds(30));
    }

    private static bool Matches(JsonArray list, string prefix, HashSet<string> expected)
    {
        var keys = list.Select(p => p!["key"]!.GetValue<string>()).Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        return keys.Count == expected.Count && keys.All(expected.Contains)
            && list.All(p => !p!["key"]!.GetValue<string>().StartsWith(prefix, StringComparison.Ordinal) || p["metas"]!.AsArray().Count == 1);
    }
}

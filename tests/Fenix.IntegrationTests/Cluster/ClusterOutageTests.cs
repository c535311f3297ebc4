using System.Text.Json.Nodes;
using Fenix.IntegrationTests.Infrastructure;
using Xunit;

namespace Fenix.IntegrationTests.Cluster;

/// <summary>Tests that stop the broker or kill nodes run alone (here and, through a cross-process lock, in every assembly).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterOutageCollection
{
    public const string Name = "cluster outage";
}

/// <summary>Failures of the shared RabbitMQ broker and of nodes (alone: the broker is shared by every test assembly).</summary>
[Collection(ClusterOutageCollection.Name)]
public sealed class RabbitMqClusterOutageTests(OutageChatCluster cluster) : ClusterOutageTests<OutageChatCluster>(cluster);

/// <summary>Failures of the cluster's own Redis and of nodes: exactly the same tests.</summary>
public sealed class RedisClusterOutageTests(RedisOutageChatCluster cluster) : ClusterOutageTests<RedisOutageChatCluster>(cluster);

/// <summary>Failures of the backend and of nodes, with two Chat processes.</summary>
public abstract class ClusterOutageTests<TCluster>(TCluster cluster) : IClassFixture<TCluster>
    where TCluster : ChatCluster
{
    [Fact]
    public async Task Local_delivery_goes_on_during_a_backend_restart_and_cross_node_delivery_resumes_after_it()
    {
        await using var js = await Infrastructure.JsClient.StartAsync();
        var ann = await JoinLobbyAsync(js, node: 0, "ann");
        var amy = await JoinLobbyAsync(js, node: 0, "amy");
        var bob = await JoinLobbyAsync(js, node: 1, "bob");
        await Eventually.RetryAsync(
            i => js.PushAsync(ann, "new_msg", new { body = $"warm-up {i}" }),
            window => Eventually.SeenAsync(js, Eventually.Message(bob, "new_msg", "warm-up"), window),
            "node 2 to receive node 1's broadcasts");

        await cluster.Backend.StopAsync();
        try
        {
            await js.PushAsync(ann, "new_msg", new { body = "during the outage" }); // no reply: the room answers with the broadcast
            await js.WaitForAsync(Eventually.Message(amy, "new_msg", "during the outage"), "local delivery during the outage");
        }
        finally
        {
            await cluster.Backend.StartAsync();
        }

        await Eventually.RetryAsync(
            i => js.PushAsync(ann, "new_msg", new { body = $"after {i}" }),
            window => Eventually.SeenAsync(js, Eventually.Message(bob, "new_msg", "after"), window),
            "node 2 to receive node 1's broadcasts again",
            TimeSpan.FromSeconds(30));

        // Dropped, not queued for later: node 1's broadcasts reach node 2 in order, so a replayed outage message would
        // come before this one.
        await js.PushAsync(ann, "new_msg", new { body = "barrier" });
        await js.RefuteBeforeAsync(
            Eventually.Message(bob, "new_msg", "during the outage"), "delivery of a message published while the backend was down",
            Eventually.Message(bob, "new_msg", "barrier"), "node 1's next broadcast");
        await Eventually.RetryAsync(
            i => js.PushAsync(bob, "new_msg", new { body = $"back {i}" }),
            window => Eventually.SeenAsync(js, Eventually.Message(ann, "new_msg", "back"), window),
            "node 1 to receive node 2's broadcasts again",
            TimeSpan.FromSeconds(30));
        Assert.False(cluster.Nodes[0].HasExited || cluster.Nodes[1].HasExited);
    }

    [Fact]
    public async Task Presence_reconverges_after_a_backend_restart_including_joins_made_during_the_outage()
    {
        await using var js = await Infrastructure.JsClient.StartAsync();
        var ann = await JoinLobbyAsync(js, node: 0, "o-ann", withPresence: true);
        var bob = await JoinLobbyAsync(js, node: 1, "o-bob", withPresence: true);
        await WaitForListAsync(js, ann, ["o-ann", "o-bob"], TimeSpan.FromSeconds(30));
        await WaitForListAsync(js, bob, ["o-ann", "o-bob"], TimeSpan.FromSeconds(30));

        await cluster.Backend.StopAsync();
        try
        {
            // Local presence keeps working without the backend; node 1 cannot hear of cid yet.
            var cid = await JoinLobbyAsync(js, node: 1, "o-cid", withPresence: true);
            await WaitForListAsync(js, cid, ["o-bob", "o-cid"], Patience.Default);
        }
        finally
        {
            await cluster.Backend.StartAsync();
        }

        // The delta with cid's join was lost with the backend: node 1 repairs the gap from node 2's clocks (a transfer).
        await WaitForListAsync(js, ann, ["o-ann", "o-bob", "o-cid"], TimeSpan.FromSeconds(60));
        await WaitForListAsync(js, bob, ["o-ann", "o-bob", "o-cid"], TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task A_long_poll_session_on_a_killed_node_is_gone_for_the_other_nodes()
    {
        using var onNode2 = new LongPollTestClient(cluster.Nodes[1].BaseUri, "/socket", query: "user=lp-dead");
        using var onNode1 = new LongPollTestClient(cluster.Nodes[0].BaseUri, "/socket", query: "user=lp-dead");
        await onNode2.OpenAsync();
        onNode1.Token = onNode2.Token;
        Assert.Equal(200, (await onNode1.PostAsync(Frame("1", "1", "phx_join"))).Status);

        await cluster.Nodes[1].KillAsync();
        try
        {
            // No acknowledgement from the dead node within Phoenix's 2 s: "no session", as for an unknown token.
            Assert.Equal(410, (await onNode1.PostAsync(Frame("1", "2", "new_msg"))).Status);
            var reopened = await onNode1.GetAsync();
            Assert.Equal(410, reopened.Status);
            Assert.NotEqual(onNode2.Token, reopened.Token);
            onNode1.Token = reopened.Token;
            Assert.Equal(200, (await onNode1.PostAsync(Frame("1", "1", "phx_join"))).Status); // the new session lives on node 1
        }
        finally
        {
            await cluster.RestartAsync(1);
        }
    }

    /// <summary>Waits for a presence sync of <paramref name="channel"/> whose keys include all of <paramref name="keys"/>.</summary>
    private static Task<JsonObject> WaitForListAsync(Infrastructure.JsClient js, string channel, string[] keys, TimeSpan timeout) =>
        js.WaitForAsync(
            e => Infrastructure.JsClient.Type(e) == "presence_sync" && Infrastructure.JsClient.Str(e, "channel") == channel
                && keys.All(k => e["list"]!.AsArray().Any(p => p!["key"]!.GetValue<string>() == k)),
            $"{channel}'s presence list to hold {string.Join(", ", keys)}",
            timeout);

    private async Task<string> JoinLobbyAsync(Infrastructure.JsClient js, int node, string user, bool withPresence = false)
    {
        var socket = await js.ConnectOpenAsync(cluster.Nodes[node].BaseUri, "/socket", new { user });
        var channel = await js.JoinAsync(socket, "rooms:lobby", withPresence: withPresence);
        await js.WaitForJoinAsync(channel);
        return channel;
    }

    private static string Frame(string joinRef, string @ref, string @event) =>
        new JsonArray(joinRef, @ref, "rooms:lobby", @event, new JsonObject { ["body"] = "x" }).ToJsonString();
}

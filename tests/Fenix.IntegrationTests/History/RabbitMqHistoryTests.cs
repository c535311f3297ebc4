using Fenix.IntegrationTests.Cluster;
using Fenix.IntegrationTests.Cluster.Backends;
using Xunit;
using Js = Fenix.IntegrationTests.Infrastructure.JsClient;

namespace Fenix.IntegrationTests.History;

/// <summary>
/// Two Chat nodes over the shared RabbitMQ with <c>--Chat:History true</c> and history in the shared Redis
/// (<c>--Fenix:History:Redis</c>), each under the cluster's own prefix.
/// </summary>
public sealed class RabbitMqHistoryChatCluster() : ChatCluster(new RabbitMqRedisHistoryBackend(), 2, forOutages: false, "--Chat:History", "true");

/// <summary>A RabbitMQ cluster with history in Redis: positions are the cluster's, whichever node numbered or delivered them.</summary>
public sealed class RabbitMqHistoryTests(RabbitMqHistoryChatCluster cluster) : IClassFixture<RabbitMqHistoryChatCluster>
{
    [Fact]
    public async Task A_client_that_left_node_1_recovers_on_node_2_with_the_positions_node_2_gave()
    {
        var node1 = cluster.Nodes[0].BaseUri;
        var node2 = cluster.Nodes[1].BaseUri;
        var m = $"rmq{Guid.NewGuid():N}"[..12];
        await using var js = await Js.StartAsync();
        var (_, annLobby) = await ChatHistory.JoinLobbyAsync(js, node1, "ann");
        var (_, bobLobby) = await ChatHistory.JoinLobbyAsync(js, node2, "bob");

        // Node 2 binds to the broker's exchange a moment after it starts: say until node 1's client hears node 2's.
        await Eventually.RetryAsync(
            i => ChatHistory.SayAsync(js, bobLobby, $"{m}-warm-{i}"),
            window => Eventually.SeenAsync(js, Eventually.Message(annLobby, "new_msg", $"{m}-warm"), window),
            "node 1 to receive node 2's broadcasts");
        await ChatHistory.SayAsync(js, bobLobby, $"{m}-1");
        var bobsFirst = await ChatHistory.SeenAsync(js, bobLobby, $"{m}-1");
        var annsFirst = await ChatHistory.SeenAsync(js, annLobby, $"{m}-1");
        Assert.Equal(Js.Str(bobsFirst, "ref"), Js.Str(annsFirst, "ref")); // one numbering: Redis's, not a node's
        var position = Js.Str(annsFirst, "ref")!;

        await js.SendAsync(new { cmd = "leave", channel = annLobby });
        await js.WaitForAsync(e => Js.Type(e) == "left" && Js.Str(e, "channel") == annLobby, "ann left");
        var published = new List<string>();
        for (var i = 2; i <= 4; i++)
        {
            await ChatHistory.SayAsync(js, bobLobby, $"{m}-{i}");
            published.Add(Js.Str(await ChatHistory.SeenAsync(js, bobLobby, $"{m}-{i}"), "ref")!);
        }

        var annAgain = await js.ConnectOpenAsync(node2, "/socket", new { user = "ann" });
        var annLobby2 = await ChatHistory.ChannelAsync(js, annAgain, new { since = position });
        var join = await js.WaitForAsync(e => Js.Type(e) == "history_join" && Js.Str(e, "channel") == annLobby2, "ann on node 2");
        Assert.True(join["recovered"]!.GetValue<bool>(), join.ToJsonString());
        Assert.Equal(3, join["replayed"]!.GetValue<int>());
        await ChatHistory.SayAsync(js, bobLobby, $"{m}-5");
        var live = await ChatHistory.SeenAsync(js, annLobby2, $"{m}-5");
        var epoch = position.Split(':')[0];
        var offset = long.Parse(position.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(Enumerable.Range(2, 4).Select(i => $"{m}-{i}"), ChatHistory.Bodies(js, annLobby2, m));
        Assert.Equal(published, ChatHistory.Refs(js, annLobby2, m).Take(3)); // the replay carries the positions bob saw live
        Assert.Equal([$"{epoch}:{offset + 1}", $"{epoch}:{offset + 2}", $"{epoch}:{offset + 3}", $"{epoch}:{offset + 4}"], [.. published, Js.Str(live, "ref")!]);
    }
}

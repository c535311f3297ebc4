using Fenix.Client.Tests.Support;

namespace Fenix.Client.Tests;

/// <summary>A <see cref="Presence"/> bound to a channel: state/diff ordering across joins and rejoins.</summary>
public sealed class PresenceTests
{
    [Fact]
    public async Task Diffs_before_the_state_wait_and_are_applied_after_it()
    {
        await using var fake = new FakeSocket();
        var transport = await fake.ConnectAsync();
        var channel = await fake.JoinAsync("room:lobby");
        var presence = new Presence(channel);
        var joins = new List<string>();
        var syncs = 0;
        presence.Joined += (key, current, _) => joins.Add($"{key}:{(current is null ? "new" : "more")}");
        presence.Synced += () => syncs++;

        // The own-join diff may precede the state (protocol.md §7.4); its ref is then also in the state.
        transport.Receive(Frames.Broadcast("room:lobby", "presence_diff", """{"joins":{"alice":{"metas":[{"phx_ref":"R1"}]}},"leaves":{}}"""));
        await fake.SyncAsync();
        Assert.True(presence.IsPendingSync);
        Assert.Empty(presence.List());
        Assert.Equal(0, syncs);

        transport.Receive(Frames.Push("1", "room:lobby", "presence_state", """{"alice":{"metas":[{"phx_ref":"R1"}]},"bob":{"metas":[{"phx_ref":"R2"}]}}"""));
        await fake.SyncAsync();
        Assert.False(presence.IsPendingSync);
        Assert.Equal(1, syncs);
        Assert.Equal(["alice:new", "bob:new", "alice:more"], joins);
        Assert.Equal(["alice:R1", "bob:R2"], presence.List((key, p) => $"{key}:{string.Join(',', PresenceState.MetasOf(p).Select(PresenceSync.RefOf))}"));

        transport.Receive(Frames.Broadcast("room:lobby", "presence_diff", """{"joins":{},"leaves":{"bob":{"metas":[{"phx_ref":"R2"}]}}}"""));
        await fake.SyncAsync();
        Assert.Equal(2, syncs);
        Assert.Equal(["alice"], presence.State.Keys);
    }

    [Fact]
    public async Task After_a_rejoin_diffs_wait_for_the_state_of_the_new_join()
    {
        await using var fake = new FakeSocket();
        var transport = await fake.ConnectAsync();
        var channel = await fake.JoinAsync("room:lobby");
        var presence = new Presence(channel);
        var leaves = new List<string>();
        presence.Left += (key, _, _) => leaves.Add(key);
        transport.Receive(Frames.Push("1", "room:lobby", "presence_state", """{"alice":{"metas":[{"phx_ref":"R1"}]},"bob":{"metas":[{"phx_ref":"R2"}]}}"""));

        transport.Receive(Frames.Error("1", "room:lobby"));
        await fake.AdvanceAsync(TimeSpan.FromSeconds(1));
        var rejoin = channel.JoinRef!;
        transport.Receive(Frames.Reply(rejoin, rejoin, "room:lobby", "ok"));
        transport.Receive(Frames.Broadcast("room:lobby", "presence_diff", """{"joins":{"carol":{"metas":[{"phx_ref":"R3"}]}},"leaves":{}}"""));
        await fake.SyncAsync();
        Assert.True(presence.IsPendingSync);
        Assert.Equal(2, presence.List().Count);

        // The fresh state lacks bob (he left while we were away) and the buffered diff adds carol.
        transport.Receive(Frames.Push(rejoin, "room:lobby", "presence_state", """{"alice":{"metas":[{"phx_ref":"R1"}]}}"""));
        await fake.SyncAsync();
        Assert.Equal(["bob"], leaves);
        Assert.Equal(["alice", "carol"], presence.State.Keys);
    }

    [Fact]
    public async Task Custom_event_names_are_honoured()
    {
        await using var fake = new FakeSocket();
        var transport = await fake.ConnectAsync();
        var channel = await fake.JoinAsync("t");
        var presence = new Presence(channel, "state", "diff");
        transport.Receive(Frames.Push("1", "t", "state", """{"a":{"metas":[{"phx_ref":"1"}]}}"""));
        transport.Receive(Frames.Broadcast("t", "diff", """{"joins":{"b":{"metas":[{"phx_ref":"2"}]}},"leaves":{}}"""));
        await fake.SyncAsync();
        Assert.Equal(["a", "b"], presence.State.Keys);
    }
}

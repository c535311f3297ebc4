using System.Text.Json;
using Fenix.Presence.Tests.Support;
using Fenix.PubSub;
using Xunit;

namespace Fenix.Presence.Tests.Api;

/// <summary>The Presence API on one node (§7.1–7.3, §10.5 #60).</summary>
public sealed class PresenceTrackerTests : IAsyncLifetime
{
    private readonly FenixPubSub _pubSub = new();
    private readonly RecordingPublisher _diffs = new();
    private readonly PresenceTracker _presence;
    private readonly CancellationTokenSource _channel1 = new();
    private readonly CancellationTokenSource _channel2 = new();
    private readonly PresenceOwner _owner1;
    private readonly PresenceOwner _owner2;

    public PresenceTrackerTests()
    {
        _presence = new PresenceTracker(_pubSub, new PresenceOptions(), _diffs);
        _owner1 = _presence.CreateOwner("1", _channel1.Token);
        _owner2 = _presence.CreateOwner("2", _channel2.Token);
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await _presence.DisposeAsync();
        _channel1.Dispose();
        _channel2.Dispose();
    }

    [Fact]
    public async Task Track_adds_a_phx_ref_lists_by_key_and_emits_a_join_diff()
    {
        var phxRef = await _presence.TrackAsync(_owner1, "room:1", "alice", new { name = "Alice", online_at = "1700000000" });

        var list = await _presence.ListAsync("room:1");
        var meta = Assert.Single(list["alice"].Metas);
        Assert.Equal(phxRef, meta.GetProperty("phx_ref").GetString());
        Assert.Equal(16, phxRef.Length);
        Assert.Equal(
            $$$"""{"alice":{"metas":[{"name":"Alice","online_at":"1700000000","phx_ref":"{{{phxRef}}}"}]}}""",
            JsonSerializer.Serialize(list));

        var diff = await _diffs.WaitForAsync(d => d.Topic == "room:1");
        Assert.Equal(
            $$$"""{"joins":{"alice":{"metas":[{"name":"Alice","online_at":"1700000000","phx_ref":"{{{phxRef}}}"}]}},"leaves":{}}""",
            JsonSerializer.Serialize(diff));
    }

    [Fact]
    public async Task Tracking_the_same_owner_topic_and_key_twice_is_a_clear_error()
    {
        await _presence.TrackAsync(_owner1, "room:1", "alice", new { });

        var error = await Assert.ThrowsAsync<PresenceAlreadyTrackedException>(() => _presence.TrackAsync(_owner1, "room:1", "alice", new { }));

        Assert.Contains("already tracks key 'alice' on topic 'room:1'", error.Message, StringComparison.Ordinal);
        Assert.Single((await _presence.ListAsync("room:1"))["alice"].Metas);
    }

    [Fact]
    public async Task Several_sessions_of_one_key_make_one_key_with_several_metas()
    {
        var ref1 = await _presence.TrackAsync(_owner1, "room:1", "alice", new { device = "phone" });
        var ref2 = await _presence.TrackAsync(_owner2, "room:1", "alice", new { device = "laptop" });
        await _presence.TrackAsync(_owner1, "room:2", "alice", new { device = "phone" });

        var entry = (await _presence.ListAsync("room:1"))["alice"];
        Assert.Equal(new HashSet<string?> { ref1, ref2 }, entry.Metas.Select(m => m.GetProperty("phx_ref").GetString()).ToHashSet());
        Assert.Equal(2, (await _presence.GetByKeyAsync("room:1", "alice"))!.Metas.Count);
        Assert.Null(await _presence.GetByKeyAsync("room:1", "nobody"));
    }

    [Fact]
    public async Task Untrack_emits_a_leave_and_is_a_no_op_when_absent()
    {
        await _presence.TrackAsync(_owner1, "room:1", "alice", new { });
        await _presence.UntrackAsync(_owner1, "room:1", "alice");
        await _presence.UntrackAsync(_owner1, "room:1", "alice");

        Assert.Empty(await _presence.ListAsync("room:1"));
        var diff = await _diffs.WaitForAsync(d => d.Leaves.Count > 0);
        Assert.Empty(diff.Joins);
        Assert.True(diff.Leaves.ContainsKey("alice"));
    }

    [Fact]
    public async Task An_owner_ending_removes_all_its_presences_on_every_topic()
    {
        await _presence.TrackAsync(_owner1, "room:1", "alice", new { });
        await _presence.TrackAsync(_owner1, "room:2", "alice", new { });
        await _presence.TrackAsync(_owner2, "room:1", "bob", new { });

        await _channel1.CancelAsync();

        await _diffs.WaitForAsync(d => d.Topic == "room:1" && d.Leaves.ContainsKey("alice"));
        await _diffs.WaitForAsync(d => d.Topic == "room:2" && d.Leaves.ContainsKey("alice"));
        Assert.Equal(["bob"], (await _presence.ListAsync("room:1")).Keys);
        Assert.Empty(await _presence.ListAsync("room:2"));
    }

    [Fact]
    public async Task Tracking_for_an_owner_that_already_ended_leaves_at_once()
    {
        await _channel1.CancelAsync();
        await _presence.TrackAsync(_owner1, "room:1", "alice", new { });

        await _diffs.WaitForAsync(d => d.Leaves.ContainsKey("alice"));
        Assert.Empty(await _presence.ListAsync("room:1"));
    }

    [Fact]
    public async Task Untrack_all_removes_an_owners_presences()
    {
        await _presence.TrackAsync(_owner1, "room:1", "alice", new { });
        await _presence.TrackAsync(_owner1, "room:2", "alice", new { });

        await _presence.UntrackAllAsync(_owner1);

        Assert.Empty(await _presence.ListAsync("room:1"));
        Assert.Empty(await _presence.ListAsync("room:2"));
    }

    [Fact]
    public async Task Update_gives_a_new_ref_and_phx_ref_prev_in_one_diff_with_the_old_meta_as_leave()
    {
        var oldRef = await _presence.TrackAsync(_owner1, "room:1", "alice", new { status = "online" });
        await _diffs.WaitForAsync(d => d.Joins.ContainsKey("alice"));
        var mark = _diffs.Count;

        var newRef = await _presence.UpdateAsync(_owner1, "room:1", "alice", new { status = "away" });

        Assert.NotEqual(oldRef, newRef);
        var diff = await _diffs.WaitForAsync(d => d.Leaves.Count > 0, mark);
        Assert.Equal(
            $$$$"""{"joins":{"alice":{"metas":[{"status":"away","phx_ref":"{{{{newRef}}}}","phx_ref_prev":"{{{{oldRef}}}}"}]}},"leaves":{"alice":{"metas":[{"status":"online","phx_ref":"{{{{oldRef}}}}"}]}}}""",
            JsonSerializer.Serialize(diff));

        // phx_ref_prev stays in the stored meta (and so in later presence_state lists).
        var meta = (await _presence.ListAsync("room:1"))["alice"].Metas.Single();
        Assert.Equal(oldRef, meta.GetProperty("phx_ref_prev").GetString());
    }

    [Fact]
    public async Task Update_with_a_function_receives_the_stored_meta_including_its_refs()
    {
        var oldRef = await _presence.TrackAsync(_owner1, "room:1", "alice", new { count = 1 });
        JsonElement seen = default;

        var newRef = await _presence.UpdateAsync(_owner1, "room:1", "alice", old =>
        {
            seen = old;
            var copy = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(old)!;
            copy["count"] = JsonSerializer.SerializeToElement(old.GetProperty("count").GetInt32() + 1);
            return copy;
        });

        Assert.Equal(oldRef, seen.GetProperty("phx_ref").GetString());
        var meta = (await _presence.ListAsync("room:1"))["alice"].Metas.Single();
        Assert.Equal(2, meta.GetProperty("count").GetInt32());
        Assert.Equal(newRef, meta.GetProperty("phx_ref").GetString());
        Assert.Equal(oldRef, meta.GetProperty("phx_ref_prev").GetString());
    }

    [Fact]
    public async Task Owner_less_presences_live_until_untracked()
    {
        await _presence.TrackAsync("system:status", "worker-1", new { load = 0.5 });
        await _presence.UpdateAsync("system:status", "worker-1", new { load = 0.9 });

        Assert.Equal(0.9, (await _presence.GetByKeyAsync("system:status", "worker-1"))!.Metas.Single().GetProperty("load").GetDouble());
        await _presence.UntrackAsync("system:status", "worker-1");
        Assert.Empty(await _presence.ListAsync("system:status"));
    }

    [Fact]
    public async Task Diffs_of_a_topic_are_published_in_order()
    {
        for (var i = 0; i < 200; i++)
        {
            await _presence.TrackAsync(_owner1, "room:1", $"u{i}", new { });
        }

        // Adaptive coalescing merges the tail of this burst into fewer diffs; the order survives the merge.
        await _diffs.WaitForAsync(d => d.Topic == "room:1" && d.Joins.ContainsKey("u199"));
        var keys = _diffs.Diffs.Where(d => d.Topic == "room:1").SelectMany(d => d.Joins.Keys).ToList();
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"u{i}"), keys);
    }

    [Fact]
    public async Task Calls_after_stop_fail_clearly()
    {
        await _presence.StopAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => _presence.TrackAsync(_owner1, "room:1", "alice", new { }));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => _presence.ListAsync("room:1"));
    }
}

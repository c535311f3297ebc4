using Fenix.Presence.Tests.Support;
using Fenix.PubSub;
using Xunit;

namespace Fenix.Presence.Tests.Api;

/// <summary>Bad input fails in the caller with a message that says what to do, and the tracker carries on unharmed.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private readonly RecordingPublisher _diffs = new();
    private readonly PresenceTracker _presence;
    private readonly PresenceOwner _owner;

    public BadInputTests()
    {
        _presence = new PresenceTracker(new FenixPubSub(), new PresenceOptions { MaxMetaBytes = 256 }, _diffs);
        _owner = _presence.CreateOwner("1", CancellationToken.None);
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _presence.DisposeAsync();

    public static TheoryData<string, object> NotObjects => new()
    {
        { "Array", new[] { 1, 2 } },
        { "String", "online" },
        { "Number", 42 },
        { "Null", System.Text.Json.JsonSerializer.SerializeToElement<object?>(null) },
    };

    [Theory]
    [MemberData(nameof(NotObjects))]
    public async Task A_meta_that_is_not_a_json_object_is_refused(string kind, object meta)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _presence.TrackAsync(_owner, "room:1", "alice", meta));

        Assert.Contains("JSON object", error.Message, StringComparison.Ordinal);
        Assert.Contains(kind, error.Message, StringComparison.Ordinal);
        await AssertUnharmedAsync();
    }

    [Fact]
    public async Task A_meta_that_cannot_be_serialized_is_refused()
    {
        var cyclic = new Node();
        cyclic.Next = cyclic;

        var error = await Assert.ThrowsAsync<ArgumentException>(() => _presence.TrackAsync(_owner, "room:1", "alice", cyclic));

        Assert.Contains("cannot be serialized", error.Message, StringComparison.Ordinal);
        await AssertUnharmedAsync();
    }

    [Fact]
    public async Task A_meta_over_the_size_limit_is_refused()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            _presence.TrackAsync(_owner, "room:1", "alice", new { blob = new string('x', 300) }));

        Assert.Contains("limit of 256", error.Message, StringComparison.Ordinal);
        await AssertUnharmedAsync();
    }

    [Fact]
    public async Task A_null_meta_topic_or_key_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() => _presence.TrackAsync(_owner, "room:1", "alice", null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => _presence.TrackAsync(_owner, null!, "alice", new { }));
        await Assert.ThrowsAsync<ArgumentNullException>(() => _presence.TrackAsync(_owner, "room:1", null!, new { }));
        await AssertUnharmedAsync();
    }

    [Fact]
    public async Task Updating_an_untracked_key_is_a_clear_error()
    {
        var error = await Assert.ThrowsAsync<PresenceNotTrackedException>(() => _presence.UpdateAsync(_owner, "room:1", "ghost", new { }));

        Assert.Contains("does not track key 'ghost' on topic 'room:1'", error.Message, StringComparison.Ordinal);
        await AssertUnharmedAsync();
    }

    [Fact]
    public async Task A_bad_update_leaves_the_stored_meta_as_it_was()
    {
        var phxRef = await _presence.TrackAsync(_owner, "room:1", "alice", new { status = "online" });

        await Assert.ThrowsAsync<ArgumentException>(() => _presence.UpdateAsync(_owner, "room:1", "alice", new[] { "not", "an", "object" }));
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            _presence.UpdateAsync(_owner, "room:1", "alice", _ => throw new InvalidOperationException("buggy update")));

        var meta = (await _presence.ListAsync("room:1"))["alice"].Metas.Single();
        Assert.Equal(phxRef, meta.GetProperty("phx_ref").GetString());
        Assert.Equal("online", meta.GetProperty("status").GetString());
    }

    private async Task AssertUnharmedAsync()
    {
        await _presence.TrackAsync(_owner, "room:ok", "bob", new { fine = true });
        Assert.Equal(["bob"], (await _presence.ListAsync("room:ok")).Keys);
        await _diffs.WaitForAsync(d => d.Topic == "room:ok");
        Assert.DoesNotContain(_diffs.Diffs, d => d.Topic == "room:1" && d.Joins.ContainsKey("alice") && d.Joins["alice"].Metas.Count == 0);
    }

    private sealed class Node
    {
        public Node? Next { get; set; }
    }
}

using Fenix.AspNetCore.Tests.Channels;
using Fenix.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Fenix.AspNetCore.Tests.Testing;

/// <summary>
/// The test kit's failure messages say what was expected, within which timeout, and what came instead. Assertions here
/// are made to fail on purpose: a failing assertion waits a short timeout (<see cref="FailingAsync"/>), a refutation fails
/// at once on a frame that a barrier proved is already there; the steps that must succeed keep the default timeouts.
/// </summary>
public sealed class TestKitMessageTests : IAsyncLifetime
{
    private readonly ChannelTestHost _host = new(services => services.AddSingleton(new ChannelProbe()))
    {
        AssertTimeout = Patience.Default,
        RefuteTimeout = TimeSpan.FromMilliseconds(40),
    };

    private TestSocket _socket = null!;

    public async ValueTask InitializeAsync()
    {
        _socket = _host.Socket<TestUserSocket>(("user_id", "7"));
        await _socket.JoinOkAsync("room:lobby", new { user = "ann" });
        await _socket.AssertPushAsync("joined");
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task A_failed_AssertPush_says_which_push_was_expected_within_the_assert_timeout()
    {
        var error = await FailingAsync(() => _socket.AssertPushAsync("never", new { x = 1 }));

        Assert.StartsWith("Expected a push never with {\"x\":1} within 150 ms, but none came.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Expected no", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_AssertPush_lists_the_frames_that_did_arrive()
    {
        _socket.Push("room:lobby", "info_after"); // pushes "info" {text: "tick"} after 30 ms
        await _socket.AssertPushAsync("info"); // the barrier: it arrived; now ask for a payload it does not have
        _socket.Push("room:lobby", "info_after");
        await WaitForAsync(() => _socket.Received.Count(f => f.Event == "info") == 2); // the second is there, not taken
        var error = await FailingAsync(() => _socket.AssertPushAsync("info", new { text = "tock" }));

        Assert.Contains("Frames received and not yet asserted:", error.Message, StringComparison.Ordinal);
        Assert.Contains("info join_ref=", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"tick\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_AssertReply_names_the_status_expected_and_the_reply_that_came()
    {
        var @ref = _socket.Push("room:lobby", "unknown_event"); // replies error {reason: "unknown"}
        await WaitForAsync(() => _socket.Received.Any(f => f.IsReply && f.Ref == @ref));
        var error = await FailingAsync(() => _socket.AssertReplyAsync(@ref, "ok"));

        Assert.StartsWith($"Expected a reply to ref {@ref} with status \"ok\" within 150 ms, but none came. The reply to ref {@ref} was: reply error", error.Message, StringComparison.Ordinal);
        Assert.Contains("unknown", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_RefutePush_quotes_the_refute_timeout_and_the_push_received()
    {
        _socket.Push("room:lobby", "info_after"); // pushes "info" {text: "tick"} after 30 ms
        await WaitForAsync(() => _socket.Received.Any(f => f.Event == "info"));
        var frame = _socket.Received.First(f => f.Event == "info").ToString();

        var error = await Assert.ThrowsAsync<ChannelAssertionException>(() => _socket.RefutePushAsync("info"));
        Assert.Equal($"Expected no push info within 40 ms, but received: {frame}", error.Message);
    }

    [Fact]
    public async Task A_failed_RefuteReply_and_RefuteBroadcast_say_what_was_not_expected()
    {
        var @ref = _socket.Push("room:lobby", "new_msg", new { body = "hi" }); // broadcasts new_msg, then replies ok
        await WaitForAsync(() => _socket.Received.Any(f => f.IsReply && f.Ref == @ref));
        await _socket.AssertBroadcastAsync("new_msg");
        var replyError = await Assert.ThrowsAsync<ChannelAssertionException>(() => _socket.RefuteReplyAsync(@ref));
        Assert.StartsWith($"Expected no reply to ref {@ref} within 40 ms, but received: reply ok ref={@ref}", replyError.Message, StringComparison.Ordinal);

        var again = _socket.Push("room:lobby", "new_msg", new { body = "again" });
        await _socket.AssertReplyAsync(again, "ok"); // the barrier: the broadcast was recorded before this reply was sent
        var broadcastError = await Assert.ThrowsAsync<ChannelAssertionException>(() => _socket.RefuteBroadcastAsync("new_msg"));
        Assert.StartsWith("Expected no broadcast new_msg within 40 ms, but received: new_msg {\"body\":\"again\"}", broadcastError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_AssertBroadcast_and_JoinOk_say_what_was_expected()
    {
        var broadcast = await FailingAsync(() => _socket.AssertBroadcastAsync("nothing"));
        Assert.StartsWith("Expected a broadcast nothing within 150 ms, but none came.", broadcast.Message, StringComparison.Ordinal);

        var join = await Assert.ThrowsAsync<ChannelAssertionException>(() => _socket.JoinOkAsync("custom:ignore")); // the reply comes: no timeout
        Assert.StartsWith("Expected the join of custom:ignore to succeed, but it was refused: error {\"action\":\"ignore\"}", join.Message, StringComparison.Ordinal);
    }

    /// <summary>Runs an assertion expected to fail, with a 150 ms assert timeout instead of the default.</summary>
    private async Task<ChannelAssertionException> FailingAsync(Func<Task> assertion)
    {
        var timeout = _host.AssertTimeout;
        _host.AssertTimeout = TimeSpan.FromMilliseconds(150);
        try
        {
            return await Assert.ThrowsAsync<ChannelAssertionException>(assertion);
        }
        finally
        {
            _host.AssertTimeout = timeout;
        }
    }

    /// <summary>Waits (bounded) until frames the server already sent are in the socket's history.</summary>
    private static async Task WaitForAsync(Func<bool> arrived)
    {
        var deadline = DateTime.UtcNow + Patience.Default;
        while (!arrived() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.True(arrived(), "the expected frames never arrived");
    }
}

using Demo.Dispatch;
using Fenix.Samples.Tests.Support;
using Fenix.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace Fenix.Samples.Tests.Dispatch;

/// <summary>The Dispatch channel through the test kit: the three kinds of notification, the pager, and refused input.</summary>
public sealed class DispatchChannelTests : IAsyncLifetime
{
    private const string Lobby = DispatchTopics.Lobby;

    private readonly ChannelTestHost _host = DemoHost.Create();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    private readonly List<TestSocket> _sockets = [];

    public async ValueTask DisposeAsync()
    {
        await DemoHost.CloseAndSettleAsync(_host, _sockets, Lobby);
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task A_hero_gets_a_generated_name_its_user_info_and_the_presence_state()
    {
        var first = await _host.ConnectAsync<DispatchSocket>();
        _sockets.Add(first);
        var second = await _host.ConnectAsync<DispatchSocket>();
        var name = first.Assigns.Get<string>("hero");
        Assert.NotEqual(name, second.Assigns.Get<string>("hero"));

        await first.JoinOkAsync(Lobby);

        await first.AssertPushAsync("user_info", p => p.Json.GetProperty("user_name").GetString() == name);
        var state = await first.AssertPushAsync(PhoenixEvents.PresenceState);
        var meta = state.Payload.Json.GetProperty(name).GetProperty("metas")[0];
        Assert.Equal(name, meta.GetProperty("user_name").GetString());
        Assert.True(long.TryParse(meta.GetProperty("online_at").GetString(), out _));
    }

    [Fact]
    public async Task A_returning_page_keeps_its_hero_with_the_token_from_user_info_and_a_forged_one_gets_a_new_name()
    {
        var first = await _host.ConnectAsync<DispatchSocket>();
        _sockets.Add(first);
        var name = first.Assigns.Get<string>("hero");
        await first.JoinOkAsync(Lobby);
        var info = await first.AssertPushAsync("user_info");
        var token = info.Payload.Json.GetProperty("hero_token").GetString()!;

        // A reconnect (after a network blip or a server restart with the same key ring) sends the token back.
        var again = await _host.ConnectAsync<DispatchSocket>(new Dictionary<string, string> { ["hero_token"] = token });
        Assert.Equal(name, again.Assigns.Get<string>("hero"));

        var forged = await _host.ConnectAsync<DispatchSocket>(new Dictionary<string, string> { ["hero_token"] = token[..^4] + "AAAA" });
        Assert.NotEqual(name, forged.Assigns.Get<string>("hero"));
        var otherPurpose = _host.Services.GetRequiredService<FenixToken>().Sign("user socket", name);
        var wrongSalt = await _host.ConnectAsync<DispatchSocket>(new Dictionary<string, string> { ["hero_token"] = otherPurpose });
        Assert.NotEqual(name, wrongSalt.Assigns.Get<string>("hero"));
    }

    [Fact]
    public async Task Notify_all_reaches_everyone_and_notify_others_everyone_but_the_sender()
    {
        var storm = await JoinAsync("Storm");
        var flash = await JoinAsync("Flash");

        await storm.AssertReplyAsync(storm.Push(Lobby, "notify_all", new { body = "Assemble!" }), "ok");
        await storm.AssertPushAsync(Notification.Event, p => IsNotification(p, "all", "Storm", "Assemble!"));
        await flash.AssertPushAsync(Notification.Event, p => IsNotification(p, "all", "Storm", "Assemble!"));

        var others = storm.Push(Lobby, "notify_others", new { body = "On my way" });
        await storm.AssertReplyAsync(others, "ok");
        await flash.AssertPushAsync(Notification.Event, p => IsNotification(p, "others", "Storm", "On my way"));
        await storm.RefutePushBeforeReplyAsync(Notification.Event, others); // it would have come while storm's push was handled
    }

    [Fact]
    public async Task Notify_direct_reaches_only_its_recipient_through_the_recipients_own_topic()
    {
        var storm = await JoinAsync("Storm");
        var flash = await JoinAsync("Flash");
        var hulk = await JoinAsync("Hulk");

        var direct = storm.Push(Lobby, "notify_direct", new { recipient = "Flash", body = "Psst" });
        await storm.AssertReplyAsync(direct, "ok", new { recipient = "Flash" });

        await flash.AssertPushAsync(Notification.Event, p => IsNotification(p, "direct", "Storm", "Psst"));
        await storm.RefutePushBeforeReplyAsync(Notification.Event, direct);

        // Hulk's own round trip after storm's reply: a notification sent to hulk then would be ahead of its answer.
        var hulkBarrier = hulk.Push(Lobby, "notify_direct", new { recipient = "Nobody", body = "?" });
        await hulk.RefutePushBeforeReplyAsync(Notification.Event, hulkBarrier);
    }

    [Fact]
    public async Task A_direct_notification_to_a_hero_who_is_not_present_is_refused_and_sends_nothing()
    {
        var storm = await JoinAsync("Storm");
        var flash = await JoinAsync("Flash");
        await flash.LeaveAsync(Lobby);
        await storm.AssertPushAsync(PhoenixEvents.PresenceDiff, p => PayloadReader.Keys(p, "leaves").Contains("Flash"));

        await storm.AssertReplyAsync(storm.Push(Lobby, "notify_direct", new { recipient = "Flash", body = "Hello?" }), "error", new { reason = "hero not present" });
        await storm.AssertReplyAsync(storm.Push(Lobby, "notify_direct", new { recipient = "Nobody", body = "Hello?" }), "error", new { reason = "hero not present" });
        var last = storm.Push(Lobby, "notify_direct", new { body = "Hello?" });
        await storm.AssertReplyAsync(last, "error", new { reason = "hero not present" });

        await storm.RefutePushBeforeReplyAsync(Notification.Event, last);
        Assert.DoesNotContain(flash.Received, f => f.Event == Notification.Event);
    }

    [Theory]
    [InlineData("notify_all")]
    [InlineData("notify_others")]
    [InlineData("notify_direct")]
    public async Task A_notification_needs_a_body(string @event)
    {
        var storm = await JoinAsync("Storm");
        var reason = new { reason = $"invalid body: 1 to {Notification.MaxBody} characters" };

        await storm.AssertReplyAsync(storm.Push(Lobby, @event, new { recipient = "Storm" }), "error", reason);
        await storm.AssertReplyAsync(storm.Push(Lobby, @event, new { recipient = "Storm", body = "   " }), "error", reason);
        var last = storm.Push(Lobby, @event, new { recipient = "Storm", body = new string('x', Notification.MaxBody + 1) });
        await storm.AssertReplyAsync(last, "error", reason);
        await storm.RefutePushBeforeReplyAsync(Notification.Event, last);
    }

    [Fact]
    public async Task Nobody_may_join_another_heros_topic()
    {
        await JoinAsync("Storm");
        var spy = _host.Socket<DispatchSocket>(("hero", "Spy"));

        var reply = await spy.JoinAsync(DispatchTopics.Hero("Storm"));

        Assert.Equal("error", reply.Status);
        Assert.Equal("""{"reason":"unauthorized"}""", reply.Response.ToString());
    }

    [Fact]
    public async Task The_pager_sends_a_present_hero_a_timestamped_direct_notification()
    {
        var pager = new DispatchPager(
            _host.Services.GetRequiredService<IPresence>(),
            _host.Services.GetRequiredService<IFenixBroadcaster>(),
            TimeProvider.System,
            Options.Create(new DispatchOptions()),
            NullLogger<DispatchPager>.Instance);
        Assert.Null(await pager.PageAsync(TestContext.Current.CancellationToken));

        var storm = await JoinAsync("Storm");
        Assert.Equal("Storm", await pager.PageAsync(TestContext.Current.CancellationToken));

        var paged = await storm.AssertPushAsync(Notification.Event, p => PayloadReader.String(p, "kind") == "dispatch");
        Assert.Equal("Dispatch", PayloadReader.String(paged.Payload, "from"));
        Assert.True(DateTimeOffset.TryParse(PayloadReader.String(paged.Payload, "sent_at"), System.Globalization.CultureInfo.InvariantCulture, out _));
    }

    private async Task<TestSocket> JoinAsync(string hero)
    {
        var socket = _host.Socket<DispatchSocket>(("hero", hero));
        _sockets.Add(socket);
        await socket.JoinOkAsync(Lobby);
        await socket.AssertPushAsync(PhoenixEvents.PresenceState, p => PayloadReader.Keys(p).Contains(hero));
        return socket;
    }

    private static bool IsNotification(Payload payload, string kind, string from, string body) =>
        PayloadReader.String(payload, "kind") == kind && PayloadReader.String(payload, "from") == from
        && PayloadReader.String(payload, "body") == body && PayloadReader.String(payload, "sent_at") is { Length: > 0 };
}

using System.Text.Json.Nodes;
using Fenix.IntegrationTests.Infrastructure;
using Fenix.Protocol;
using Fenix.Protocol.Serializers;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Fenix.IntegrationTests.LongPoll;

/// <summary>The long-poll transport (protocol.md §5 and the cases of §10.3–§10.4) against real Kestrel.</summary>
public sealed class LongPollTests(FixtureServer server) : IClassFixture<FixtureServer>
{
    public static TheoryData<string> Versions => new() { "1.0.0", "2.0.0" };

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Join_and_poll(string vsn)
    {
        using var client = new LongPollTestClient(server.BaseUri, "/ws", vsn);
        var open = await client.OpenAsync();
        Assert.Equal((200, 410), (open.HttpStatus, open.Status));
        Assert.False(string.IsNullOrEmpty(open.Token));
        Assert.Equal("no-store", open.Raw.Headers.CacheControl?.ToString());
        Assert.Equal("*", open.Raw.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.StartsWith("application/json", open.Raw.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);

        var post = await client.PostAsync(Frame(vsn, "1", "1", "room:lp-lobby", "phx_join", new JsonObject()));
        Assert.Equal(200, post.Status);
        var messages = await client.PollMessagesAsync(atLeast: 3);
        Assert.Equal(["phx_reply", "user_entered", "joined"], messages.Select(m => m.Event).ToArray());
        Assert.Equal("1", messages[0].Ref);
        Assert.Equal("ok", messages[0].Status);
        Assert.Null(messages[1].Ref);
        Assert.Equal(vsn == "2.0.0" ? "1" : null, messages[2].JoinRef);

        var idle = await client.GetAsync();
        Assert.Equal(204, idle.Status);
        Assert.Equal(client.Token, idle.Token);
    }

    [Fact]
    public async Task The_101st_join_is_refused_and_posts_are_capped_at_100_lines()
    {
        using var client = new LongPollTestClient(server.BaseUri, "/ws");
        await client.OpenAsync();
        var joins = Enumerable.Range(1, 101).Select(i => Frame("2.0.0", $"{i}", $"{i}", $"prefix-lp-{i}", "phx_join", new JsonObject())).ToList();
        Assert.Equal(200, (await client.PostAsync(joins)).Status); // line 101 is ignored
        var replies = (await client.PollMessagesAsync(atLeast: 300)).Where(m => m.Event == "phx_reply").ToList();
        Assert.Equal(100, replies.Count);
        Assert.DoesNotContain(replies, r => r.Ref == "101");

        Assert.Equal(200, (await client.PostAsync(joins[100])).Status);
        var refused = (await client.PollMessagesAsync()).Single(m => m.Event == "phx_reply");
        Assert.Equal(("101", "error"), (refused.Ref, refused.Status));
        Assert.Equal("too many channels joined", refused.Response!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Connect_info_comes_from_the_session_creating_request()
    {
        using var client = new LongPollTestClient(server.BaseUri, "/ws");
        client.DefaultHeaders.Add("x-application", "Phoenix");
        client.DefaultHeaders.Add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        client.DefaultHeaders.Add("X-Phoenix-AuthToken", "bearer-secret");
        await client.OpenAsync();
        await client.PostAsync(Frame("2.0.0", "1", "1", "room:lp-info", "phx_join", new JsonObject()));
        var joined = (await client.PollMessagesAsync(atLeast: 3)).Single(m => m.Event == "joined");
        var info = joined.Payload!["connect_info"]!;
        Assert.Equal("Phoenix", info["x_headers"]!["x-application"]!.GetValue<string>());
        Assert.NotNull(info["trace_context_headers"]!["traceparent"]);
        Assert.Equal("127.0.0.1", info["peer_address"]!.GetValue<string>());
        Assert.Equal("/ws/longpoll", info["uri"]!["path"]!.GetValue<string>());
        Assert.Equal("vsn=2.0.0", info["uri"]!["query"]!.GetValue<string>());
        Assert.Equal("bearer-secret", info["auth_token"]!.GetValue<string>());
    }

    [Fact]
    public async Task Publishing_broadcasts_and_unjoined_topics_are_unmatched()
    {
        using var client = await JoinedAsync("room:lp-publish");
        Assert.Equal(200, (await client.PostAsync(Frame("2.0.0", null, "2", "room:lp-publish", "new_msg", new JsonObject { ["body"] = "hi!" }))).Status);
        var messages = await client.PollMessagesAsync(atLeast: 2);
        var relayed = messages.Single(m => m.Event == "new_msg");
        Assert.Equal("longpoll", relayed.Payload!["transport"]!.GetValue<string>());
        Assert.Contains(messages, m => m.Event == "phx_reply" && m.Ref == "2");

        await client.PostAsync(Frame("2.0.0", null, "12300", "room:unjoined", "new_msg", new JsonObject { ["body"] = "x" }));
        var unmatched = (await client.PollMessagesAsync()).Single();
        Assert.Equal(("12300", null, "error"), (unmatched.Ref, unmatched.JoinRef, unmatched.Status));
        Assert.Equal("unmatched topic", unmatched.Response!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_ndjson_batch_drops_stale_frames_and_carries_base64_binary()
    {
        using var client = await JoinedAsync("room:lp-batch");
        var binary = Convert.ToBase64String(V2BinaryCodec.EncodeClientPush(new Message("1", "4", "room:lp-batch", "new_msg", Payload.Binary(new byte[] { 1, 2, 3 }))));
        var post = await client.PostAsync(
            Frame("2.0.0", "1", "2", "room:lp-batch", "new_msg", new JsonObject { ["body"] = "hi1" }),
            Frame("2.0.0", "1", "3", "room:lp-batch", "new_msg", new JsonObject { ["body"] = "hi2" }),
            Frame("2.0.0", "stale", "30", "room:lp-batch", "new_msg", new JsonObject { ["body"] = "stale" }),
            binary,
            Frame("2.0.0", "1", "5", "room:lp-batch", "new_msg", new JsonObject { ["body"] = "hi3" }));
        Assert.Equal(200, post.Status);

        var messages = await client.PollMessagesAsync(atLeast: 8);
        var bodies = messages.Where(m => m.Event == "new_msg").Select(m => m.Payload!["body"]?.GetValue<string>()).ToList();
        Assert.Equal(["hi1", "hi2", "", "hi3"], bodies); // the binary new_msg reached the channel (its body is bytes, not a string)
        Assert.DoesNotContain(messages, m => m.Ref == "30");
        Assert.Contains(messages, m => m.Event == "phx_reply" && m.Ref == "4" && m.Status == "ok");
    }

    [Fact]
    public async Task Crashes_reply_200_and_the_next_poll_carries_phx_error()
    {
        using var client = await JoinedAsync("room:lp-boom");
        Assert.Equal(200, (await client.PostAsync(Frame("2.0.0", "1", "2", "room:lp-boom", "boom", new JsonObject()))).Status);
        var messages = await client.PollUntilAsync(messages => messages.Any(m => m.Event == "phx_error"));
        var error = Assert.Single(messages, m => m.Event == "phx_error");
        Assert.Equal(("1", "1"), (error.JoinRef, error.Ref));
        Assert.Equal("channel_crash", error.Payload!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_stale_leave_is_ignored_and_a_null_join_ref_leave_accepted()
    {
        using var client = await JoinedAsync("room:lp-leave");
        await client.PostAsync(Frame("2.0.0", "stale", "2", "room:lp-leave", "phx_leave", new JsonObject()));
        Assert.Empty((await client.GetAsync()).Messages);
        await client.PostAsync(Frame("2.0.0", null, "3", "room:lp-leave", "phx_leave", new JsonObject()));
        var messages = await client.PollMessagesAsync(atLeast: 2);
        Assert.Equal(("phx_reply", "3"), (messages[0].Event, messages[0].Ref));
        Assert.Equal(("phx_close", "1", "1"), (messages[1].Event, messages[1].JoinRef, messages[1].Ref));
    }

    [Fact]
    public async Task A_disconnect_broadcast_ends_the_session()
    {
        using var client = new LongPollTestClient(server.BaseUri, "/ws", query: "user_id=456");
        await client.OpenAsync();
        await client.PostAsync(
            Frame("2.0.0", "1", "1", "room:lp-d1", "phx_join", new JsonObject()),
            Frame("2.0.0", "2", "2", "room:lp-d2", "phx_join", new JsonObject()));
        await client.PollMessagesAsync(atLeast: 6);
        server.Broadcaster.Disconnect("user_sockets:456");
        Assert.Equal("shutdown:disconnected", await server.Terminations.WaitForAsync("room:lp-d1", Patience.Default));
        Assert.Equal("shutdown:disconnected", await server.Terminations.WaitForAsync("room:lp-d2", Patience.Default));
        Assert.Equal(410, (await client.PostAsync(Frame("2.0.0", "1", "3", "room:lp-d1", "new_msg", new JsonObject()))).Status);
        Assert.Equal(410, (await client.GetAsync()).Status);
    }

    [Theory]
    [InlineData("vsn=123.1.1", 403)]
    [InlineData("reject=true&vsn=2.0.0", 403)]
    [InlineData("ratelimit=true&vsn=2.0.0", 403)]
    public async Task Refusals_are_403_in_the_body(string query, int status)
    {
        using var http = new HttpClient();
        var response = await http.GetAsync(new Uri(server.BaseUri, $"/ws/longpoll?{query}"));
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(status, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task Origins_are_checked_and_preflights_answered()
    {
        using var http = new HttpClient();
        var allowed = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseUri, "/ws/origin/longpoll?vsn=2.0.0"));
        allowed.Headers.Add("Origin", "https://example.com");
        Assert.Equal(410, Status(await http.SendAsync(allowed)));
        var denied = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseUri, "/ws/origin/longpoll?vsn=2.0.0"));
        denied.Headers.Add("Origin", "http://notallowed.com");
        Assert.Equal(403, Status(await http.SendAsync(denied)));

        var preflight = new HttpRequestMessage(HttpMethod.Options, new Uri(server.BaseUri, "/ws/longpoll"));
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type, x-phoenix-longpoll-token");
        var answer = await http.SendAsync(preflight);
        Assert.Equal(200, (int)answer.StatusCode);
        Assert.Equal("content-type, x-phoenix-longpoll-token", answer.Headers.GetValues("Access-Control-Allow-Headers").Single());
        Assert.Equal("get, post, options", answer.Headers.GetValues("Access-Control-Allow-Methods").Single());
        Assert.Equal("3600", answer.Headers.GetValues("Access-Control-Max-Age").Single());

        var put = await http.PutAsync(new Uri(server.BaseUri, "/ws/longpoll"), new StringContent(""));
        Assert.Equal(400, (int)put.StatusCode);
    }

    [Fact]
    public async Task A_single_json_body_without_ndjson_content_type_is_one_frame()
    {
        using var client = new LongPollTestClient(server.BaseUri, "/ws", "1.0.0");
        await client.OpenAsync();
        var v1Join = new JsonObject { ["topic"] = "room:lp-v1", ["event"] = "phx_join", ["payload"] = new JsonObject(), ["ref"] = "1" }.ToJsonString();
        Assert.Equal(200, (await client.PostAsync([v1Join], "")).Status);
        Assert.Contains(await client.PollMessagesAsync(atLeast: 3), m => m.Event == "phx_reply" && m.Ref == "1" && m.Status == "ok");
    }

    [Fact]
    public async Task The_header_token_wins_over_a_bogus_query_token()
    {
        using var client = await JoinedAsync("room:lp-header");
        client.TokenInHeader = true;
        var token = client.Token!;
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        var request = new HttpRequestMessage(HttpMethod.Get, "/ws/longpoll?vsn=2.0.0&token=bogus");
        request.Headers.Add("X-Phoenix-Longpoll-Token", token);
        var response = await http.SendAsync(request);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(204, body["status"]!.GetValue<int>());
        Assert.Equal(token, body["token"]!.GetValue<string>());
    }

    [Fact]
    public async Task Forged_tokens_never_reach_a_session()
    {
        using var victim = await JoinedAsync("room:lp-victim");
        var forged = victim.Token![..^4] + "AAAA";
        using var attacker = new LongPollTestClient(server.BaseUri, "/ws") { Token = forged };
        Assert.Equal(410, (await attacker.PostAsync(Frame("2.0.0", "1", "9", "room:lp-victim", "new_msg", new JsonObject { ["body"] = "pwned" }))).Status);
        var fresh = await attacker.GetAsync();
        Assert.Equal(410, fresh.Status);
        Assert.NotEqual(victim.Token, fresh.Token);
        // A barrier: the victim's own push is answered, and the attacker's (had it got through) would have come first.
        await victim.PostAsync(Frame("2.0.0", "1", "10", "room:lp-victim", "ping", new JsonObject()));
        var messages = new List<ClientMessage>();
        for (var polls = 0; polls < 5 && !messages.Any(m => m.Ref == "10"); polls++)
        {
            messages.AddRange(await victim.PollMessagesAsync(atLeast: 1));
        }

        Assert.Contains(messages, m => m.Ref == "10" && m.Status == "ok");
        Assert.DoesNotContain(messages, m => m.Event == "new_msg");
    }

    [Fact]
    public async Task Malformed_posts_get_400_and_the_session_stays_intact()
    {
        using var client = await JoinedAsync("room:lp-garbage");
        var garbage = await client.PostAsync("!!not base64!!");
        Assert.Equal((400, 400), (garbage.HttpStatus, garbage.Status));
        var badJson = await client.PostAsync("[\"1\",\"2\",\"room:lp-garbage\"");
        Assert.Equal(400, badJson.Status);
        var wrongShape = await client.PostAsync("[1]");
        Assert.Equal(400, wrongShape.Status);
        var badBinary = await client.PostAsync(Convert.ToBase64String([9, 9, 9]));
        Assert.Equal(400, badBinary.Status);

        Assert.Equal(200, (await client.PostAsync(Frame("2.0.0", "1", "5", "room:lp-garbage", "ping", new JsonObject { ["still"] = true }))).Status);
        Assert.Contains(await client.PollMessagesAsync(), m => m.Ref == "5" && m.Status == "ok");
    }

    private async Task<LongPollTestClient> JoinedAsync(string topic)
    {
        var client = new LongPollTestClient(server.BaseUri, "/ws");
        await client.OpenAsync();
        await client.PostAsync(Frame("2.0.0", "1", "1", topic, "phx_join", new JsonObject()));
        Assert.Equal(3, (await client.PollMessagesAsync(atLeast: 3)).Count); // reply, user_entered, joined
        return client;
    }

    private static int Status(HttpResponseMessage response) =>
        JsonNode.Parse(response.Content.ReadAsStringAsync().Result)!["status"]!.GetValue<int>();

    internal static string Frame(string vsn, string? joinRef, string @ref, string topic, string @event, JsonNode payload) =>
        vsn.StartsWith('2')
            ? new JsonArray(joinRef, @ref, topic, @event, payload).ToJsonString()
            : new JsonObject { ["topic"] = topic, ["event"] = @event, ["payload"] = payload, ["ref"] = @ref }.ToJsonString();
}

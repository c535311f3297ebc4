using System.Text;
using Fenix.Client.Tests.Support;
using Fenix.Client.Transports;
using Fenix.Protocol;

namespace Fenix.Client.Tests;

/// <summary>The long-poll transport against a scripted HTTP server (protocol.md §5).</summary>
public sealed class LongPollTransportTests : IDisposable
{
    private static readonly Uri PollUrl = new("http://example.test/socket/longpoll?user=1&vsn=2.0.0");

    private readonly ScriptedHttpHandler _server = new();
    private readonly HttpClient _http;
    private readonly RecordingEvents _events = new();

    public LongPollTransportTests() => _http = new HttpClient(_server);

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task The_first_410_opens_the_session_and_later_requests_carry_its_token()
    {
        var transport = Start(authToken: "auth!");
        var open = await _server.NextAsync(HttpMethod.Get);
        Assert.Equal(PollUrl, open.Uri);
        Assert.Equal("application/json", open.Headers["Accept"]);
        Assert.Equal("auth!", open.Headers[LongPollTransport.AuthTokenHeader]);
        Assert.False(open.Headers.ContainsKey(LongPollTransport.TokenHeader));
        open.Respond("""{"status":410,"token":"T1","messages":[]}""");
        Assert.Equal("open", await _events.NextAsync());

        var poll = await _server.NextAsync(HttpMethod.Get);
        Assert.Equal("http://example.test/socket/longpoll?user=1&vsn=2.0.0&token=T1", poll.Uri.ToString());
        Assert.Equal("T1", poll.Headers[LongPollTransport.TokenHeader]);
        transport.Close(1000, null);
    }

    [Fact]
    public async Task Messages_of_a_200_are_delivered_in_order_and_204_polls_again()
    {
        var transport = await OpenAsync();
        (await _server.NextAsync(HttpMethod.Get)).Respond("""{"status":204,"token":"T1","messages":[]}""");
        (await _server.NextAsync(HttpMethod.Get)).Respond("""
            {"status":200,"token":"T1","messages":["[\"3\",\"3\",\"room:lobby\",\"phx_reply\",{\"response\":{},\"status\":\"ok\"}]","[null,null,\"room:lobby\",\"new_msg\",{\"body\":\"hi\"}]"]}
            """);

        Assert.Equal("""message ["3","3","room:lobby","phx_reply",{"response":{},"status":"ok"}]""", await _events.NextAsync());
        Assert.Equal("""message [null,null,"room:lobby","new_msg",{"body":"hi"}]""", await _events.NextAsync());
        await _server.NextAsync(HttpMethod.Get); // and it polls on
        transport.Close(1000, "bye");
        Assert.Equal("close 1000 bye", await _events.NextAsync());
        await transport.Completion.Within();
    }

    [Fact]
    public async Task A_410_while_holding_a_token_means_the_session_is_gone()
    {
        await OpenAsync();
        (await _server.NextAsync(HttpMethod.Get)).Respond("""{"status":410,"token":"T2","messages":[]}""");
        Assert.Equal("error 410", await _events.NextAsync());
        Assert.Equal("close 3410 session_gone", await _events.NextAsync());
    }

    [Fact]
    public async Task A_403_is_a_refusal_closed_with_1008()
    {
        Start();
        (await _server.NextAsync(HttpMethod.Get)).Respond("""{"status":403}""");
        Assert.Equal("error 403", await _events.NextAsync());
        Assert.Equal("close 1008 forbidden", await _events.NextAsync());
    }

    [Theory]
    [InlineData("")]
    [InlineData("<html>oops</html>")]
    [InlineData("""{"status":500}""")]
    [InlineData("""{"status":408}""")]
    public async Task Unusable_answers_close_with_1011_to_reconnect(string body)
    {
        Start();
        (await _server.NextAsync(HttpMethod.Get)).Respond(body);
        Assert.StartsWith("error", await _events.NextAsync(), StringComparison.Ordinal);
        Assert.Equal("close 1011 internal server error", await _events.NextAsync());
    }

    [Fact]
    public async Task Sends_are_posted_as_ndjson_batches_of_at_most_100_lines()
    {
        var transport = await OpenAsync();
        var frames = Enumerable.Range(1, 150)
            .Select(i => new EncodedFrame(Encoding.UTF8.GetBytes($$"""[null,"{{i}}","phoenix","heartbeat",{}]"""), false))
            .ToList();
        frames.Add(new EncodedFrame(new byte[] { 0, 1, 1, 1, 1, 0x30, 0x31, 0x74, 0x65, 1 }, true));
        foreach (var frame in frames)
        {
            transport.Send(frame);
        }

        var first = await _server.NextAsync(HttpMethod.Post);
        Assert.Equal("application/x-ndjson", first.ContentType);
        Assert.Equal("T1", first.Headers[LongPollTransport.TokenHeader]);
        Assert.EndsWith("&token=T1", first.Uri.ToString(), StringComparison.Ordinal);
        var lines = first.Body!.Split('\n');
        Assert.InRange(lines.Length, 1, LongPollTransport.MaxBatchLines);
        first.Respond("""{"status":200}""");

        var all = new List<string>(lines);
        while (all.Count < frames.Count)
        {
            var next = await _server.NextAsync(HttpMethod.Post);
            var more = next.Body!.Split('\n');
            Assert.InRange(more.Length, 1, LongPollTransport.MaxBatchLines);
            all.AddRange(more);
            next.Respond("""{"status":200}""");
        }

        Assert.Equal("""[null,"1","phoenix","heartbeat",{}]""", all[0]);
        Assert.Equal("""[null,"150","phoenix","heartbeat",{}]""", all[149]);
        Assert.Equal("AAEBAQEwMXRlAQ==", all[150]); // protocol.md §5.6
        Assert.DoesNotContain(all, line => line.Length == 0);
        transport.Close(1000, null);
    }

    [Fact]
    public async Task A_failed_send_closes_with_1011()
    {
        var transport = await OpenAsync();
        transport.Send(new EncodedFrame("[]"u8.ToArray(), false));
        (await _server.NextAsync(HttpMethod.Post)).Respond("""{"status":410}""");
        Assert.Equal("error 410", await _events.NextAsync());
        Assert.Equal("close 1011 internal server error", await _events.NextAsync());
    }

    [Fact]
    public async Task A_poll_that_outlives_its_timeout_closes_with_1005()
    {
        Start(timeout: TimeSpan.FromMilliseconds(200));
        await _server.NextAsync(HttpMethod.Get); // never answered
        Assert.Equal("error ", await _events.NextAsync());
        Assert.Equal("close 1005 timeout", await _events.NextAsync());
    }

    [Fact]
    public async Task Closing_reports_once_and_stops_polling()
    {
        var transport = Start();
        var parked = await _server.NextAsync(HttpMethod.Get);
        transport.Close(null, null);
        transport.Close(1000, "again");
        Assert.Equal("close 1005 ", await _events.NextAsync());
        await transport.Completion.Within();
        parked.Respond("""{"status":410,"token":"late","messages":[]}""");

        // The transport's loop has completed (the barrier): nothing is left to turn the late answer into an event.
        Assert.False(_events.TryNext(out _));
    }

    private LongPollTransport Start(string? authToken = null, TimeSpan? timeout = null)
    {
        var transport = new LongPollTransport(PollUrl, authToken, _http, timeout ?? TimeSpan.FromSeconds(20), _events, TimeProvider.System);
        transport.Start();
        return transport;
    }

    private async Task<LongPollTransport> OpenAsync()
    {
        var transport = Start();
        (await _server.NextAsync(HttpMethod.Get)).Respond("""{"status":410,"token":"T1","messages":[]}""");
        Assert.Equal("open", await _events.NextAsync());
        return transport;
    }
}

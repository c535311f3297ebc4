using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fenix.Protocol.Serializers;

namespace Fenix.IntegrationTests.Infrastructure;

/// <summary>A message as a client sees it, decoded from V1 objects, V2 arrays or V2 binary frames.</summary>
public sealed record ClientMessage(string? JoinRef, string? Ref, string Topic, string Event, JsonNode? Payload, byte[]? Binary = null, string? BinaryStatus = null)
{
    public string? Status => Event == "phx_reply" ? (BinaryStatus ?? Payload?["status"]?.GetValue<string>()) : null;

    public JsonNode? Response => Payload?["response"];

    public override string ToString() => $"[{JoinRef ?? "null"},{Ref ?? "null"},{Topic},{Event},{Payload?.ToJsonString() ?? $"<{Binary?.Length} bytes>"}]";
}

/// <summary>
/// A Phoenix protocol client over <see cref="RawWebSocket"/>, like the upstream test client: join_refs count from 11,
/// refs from 1, V1 omits join_ref. Received messages wait in a list until an assertion takes them.
/// </summary>
public sealed class PhoenixTestClient : IAsyncDisposable
{
    private readonly List<ClientMessage> _pending = [];

    /// <summary>Every message received, in order (assertions take from <see cref="_pending"/>, not from here).</summary>
    private readonly List<ClientMessage> _history = [];
    private int _ref;
    private int _joinRef = 10;

    private PhoenixTestClient(RawWebSocket socket, string vsn)
    {
        Socket = socket;
        Vsn = vsn;
    }

    public RawWebSocket Socket { get; }

    public string Vsn { get; }

    public bool IsV2 => Vsn.StartsWith('2');

    public RawFrame? CloseFrame { get; private set; }

    /// <summary>Connects to <paramref name="path"/>'s WebSocket (over HTTP/2 when <paramref name="http2"/>); throws if refused.</summary>
    public static async Task<PhoenixTestClient> ConnectAsync(Uri server, string path, string vsn, string query = "", IDictionary<string, string>? headers = null, bool http2 = false)
    {
        var separator = query.Length > 0 ? "&" : "";
        var socket = await RawWebSocket.ConnectAsync(server, $"{path}/websocket?{query}{separator}vsn={vsn}", headers, http2: http2);
        if (!socket.IsOpen)
        {
            throw new InvalidOperationException($"Upgrade refused: {socket.Handshake.Status} {socket.Handshake.Body}");
        }

        return new PhoenixTestClient(socket, vsn);
    }

    /// <summary>Sends phx_join; returns (join_ref, ref). V1 sends no join_ref.</summary>
    public async Task<(string? JoinRef, string Ref)> JoinAsync(string topic, object? payload = null)
    {
        var joinRef = IsV2 ? NextJoinRef() : null;
        var @ref = await SendAsync(topic, "phx_join", payload ?? new { }, joinRef);
        return (joinRef, @ref);
    }

    /// <summary>Sends an event; returns its ref.</summary>
    public async Task<string> SendAsync(string topic, string @event, object payload, string? joinRef)
    {
        var @ref = NextRef();
        var payloadNode = JsonSerializer.SerializeToNode(payload);
        string text;
        if (IsV2)
        {
            text = new JsonArray(joinRef, @ref, topic, @event, payloadNode).ToJsonString();
        }
        else
        {
            var message = new JsonObject { ["topic"] = topic, ["event"] = @event, ["payload"] = payloadNode, ["ref"] = @ref };
            if (joinRef is not null)
            {
                message["join_ref"] = joinRef;
            }

            text = message.ToJsonString();
        }

        await Socket.SendTextAsync(text);
        return @ref;
    }

    public async Task<string> SendBinaryAsync(string topic, string @event, byte[] payload, string? joinRef)
    {
        var @ref = NextRef();
        await Socket.SendBinaryAsync(V2BinaryCodec.EncodeClientPush(new Fenix.Protocol.Message(joinRef, @ref, topic, @event, Fenix.Payload.Binary(payload))));
        return @ref;
    }

    /// <summary>Takes the first message matching <paramref name="match"/>, reading more as needed; throws with what arrived instead.</summary>
    public async Task<ClientMessage> AssertReceiveAsync(Func<ClientMessage, bool> match, string what, TimeSpan? timeout = null)
    {
        var found = await TryReceiveAsync(match, timeout ?? Patience.Default);
        return found ?? throw new Xunit.Sdk.XunitException($"Expected {what}; received: {string.Join(", ", _pending)}{(CloseFrame is null ? "" : $" then close {CloseFrame.CloseCode}")}");
    }

    public Task<ClientMessage> AssertReplyAsync(string @ref, string status = "ok") =>
        AssertReceiveAsync(m => m.Event == "phx_reply" && m.Ref == @ref && m.Status == status, $"{status} reply to ref {@ref}");

    public Task<ClientMessage> AssertEventAsync(string @event, string? topic = null) =>
        AssertReceiveAsync(m => m.Event == @event && (topic is null || m.Topic == topic), $"event {@event}");

    /// <summary>
    /// Asserts that no message matching <paramref name="refuted"/> (and not taken by an earlier assertion) came before the
    /// reply to <paramref name="barrierRef"/>:
    /// a frame the test sent after the one whose effect must be absent, on a path that answers in order (the same
    /// channel, or the socket itself for a heartbeat). The barrier's reply proves the absent message never came; no
    /// waiting for time to pass.
    /// </summary>
    public async Task RefuteBeforeReplyAsync(Func<ClientMessage, bool> refuted, string barrierRef)
    {
        var barrier = await AssertReceiveAsync(m => m.Event == "phx_reply" && m.Ref == barrierRef, $"the barrier's reply {barrierRef}");
        var before = _history.TakeWhile(m => !ReferenceEquals(m, barrier)).ToHashSet(ReferenceEqualityComparer.Instance);
        var found = _pending.Where(before.Contains).FirstOrDefault(refuted); // not taken by an earlier assertion
        if (found is not null)
        {
            throw new Xunit.Sdk.XunitException($"Did not expect {found} (before the barrier {barrier})");
        }
    }

    /// <summary>Asserts, after the server's close frame (nothing follows it), that no message matching <paramref name="refuted"/>
    /// came (other than those earlier assertions took).</summary>
    public void RefuteReceivedBeforeClose(Func<ClientMessage, bool> refuted)
    {
        if (CloseFrame is null)
        {
            throw new InvalidOperationException("Wait for the close frame first: it is the barrier.");
        }

        var found = _pending.FirstOrDefault(refuted);
        if (found is not null)
        {
            throw new Xunit.Sdk.XunitException($"Did not expect {found} before the close frame");
        }
    }

    /// <summary>Sends a heartbeat and returns its ref: a barrier for what the socket itself answers.</summary>
    public Task<string> SendHeartbeatAsync() => SendAsync("phoenix", "heartbeat", new { }, null);

    public async Task<ClientMessage?> TryReceiveAsync(Func<ClientMessage, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var index = _pending.FindIndex(m => match(m));
            if (index >= 0)
            {
                var message = _pending[index];
                _pending.RemoveAt(index);
                return message;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || CloseFrame is not null)
            {
                return null;
            }

            var frame = await Socket.ReceiveDataAsync(left);
            if (frame is null)
            {
                return null;
            }

            if (frame.Opcode == RawFrame.Close)
            {
                CloseFrame = frame;
                continue;
            }

            var decoded = Decode(frame);
            _pending.Add(decoded);
            _history.Add(decoded);
        }
    }

    /// <summary>Waits for the server's close frame (reading and keeping data frames before it).</summary>
    public async Task<RawFrame?> WaitForCloseAsync(TimeSpan timeout)
    {
        await TryReceiveAsync(_ => false, timeout);
        return CloseFrame;
    }

    public ValueTask DisposeAsync() => Socket.DisposeAsync();

    private ClientMessage Decode(RawFrame frame)
    {
        if (frame.Opcode == RawFrame.Binary)
        {
            var message = V2BinaryCodec.DecodeServerFrame(frame.Payload, out var status);
            return new ClientMessage(message.JoinRef, message.Ref, message.Topic, message.Event, null, message.Payload.Bytes.ToArray(), status);
        }

        var node = JsonNode.Parse(Encoding.UTF8.GetString(frame.Payload))!;
        if (node is JsonArray array)
        {
            return new ClientMessage(array[0]?.GetValue<string>(), array[1]?.GetValue<string>(), array[2]!.GetValue<string>(), array[3]!.GetValue<string>(), array[4]);
        }

        var obj = node.AsObject();
        if (obj.ContainsKey("join_ref"))
        {
            throw new Xunit.Sdk.XunitException($"A V1 frame must not carry join_ref: {obj.ToJsonString()}");
        }

        return new ClientMessage(null, obj["ref"]?.GetValue<string>(), obj["topic"]!.GetValue<string>(), obj["event"]!.GetValue<string>(), obj["payload"]);
    }

    private string NextRef() => (++_ref).ToString(CultureInfo.InvariantCulture);

    private string NextJoinRef() => (++_joinRef).ToString(CultureInfo.InvariantCulture);
}

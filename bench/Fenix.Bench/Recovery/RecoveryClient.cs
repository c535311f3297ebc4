using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Fenix.Bench.Recovery;

/// <summary>
/// One client of the recovery scenario, speaking Phoenix V2 JSON over a plain <see cref="ClientWebSocket"/>: it joins a
/// history topic, follows the position of every message it gets (the broadcast's ref slot, docs/protocol.md "History
/// and recovery"), and on a later session rejoins with <c>fenix_history.since</c> = that position. It checks what the
/// recovery delivers: a reply that says recovered, then exactly the expected offsets of the same epoch, in order, each
/// once, with the publisher's sequence numbers in order (a check that fails is recorded, never thrown).
/// </summary>
/// <remarks>
/// Mutable state is owned by the session's receive loop; the scenario reads it only after the loop's progress was
/// published through <see cref="Received"/> (volatile) or after the session ended.
/// </remarks>
internal sealed class RecoveryClient(int index)
{
    private static readonly byte[] HeartbeatFrame = Encoding.UTF8.GetBytes("[null,\"hb\",\"phoenix\",\"heartbeat\",{}]");

    private ClientWebSocket? _socket;
    private Task? _loop;

    /// <summary>The join ref of the current session (a new one per join, as phoenix.js does).</summary>
    private string _joinRef = "";

    /// <summary>Messages received in the current session (after its join reply).</summary>
    private int _received;

    public int Index { get; } = index;

    /// <summary>The position of the newest message seen (or the join reply's position before any); null before the first join.</summary>
    public string? Position { get; private set; }

    /// <summary>The epoch and offset the current session's recovery starts after.</summary>
    public (string Epoch, long Offset) Since { get; private set; }

    /// <summary>The join reply's history member: recovered, replayed, reason.</summary>
    public bool? Recovered { get; private set; }

    public int Replayed { get; private set; }

    public string? Reason { get; private set; }

    /// <summary>Messages of the current session after its join reply.</summary>
    public int Received => Volatile.Read(ref _received);

    /// <summary>The sequence numbers (the bench publisher's <c>seq</c>) of the current session's messages, in arrival order.</summary>
    public List<int> Sequences { get; } = [];

    /// <summary>Stopwatch timestamps: session start (before connecting), join reply, and the arrival of the message numbered <see cref="DoneAt"/>.</summary>
    public long StartedAt { get; private set; }

    public long JoinedAt { get; private set; }

    public long CompletedAt { get; private set; }

    /// <summary>How many messages complete the session (<see cref="CompletedAt"/> is stamped at that one).</summary>
    public int DoneAt { get; set; } = int.MaxValue;

    /// <summary>What went wrong (null: nothing): a failed join, a wrong epoch, an offset out of order, a duplicate.</summary>
    public string? Error { get; private set; }

    /// <summary>Connects to <paramref name="baseUrl"/> and joins <paramref name="topic"/>, asking to recover after <see cref="Position"/> when it has one.</summary>
    public async Task StartAsync(string baseUrl, string topic, CancellationToken cancellationToken)
    {
        _received = 0;
        Sequences.Clear();
        Recovered = null;
        Replayed = 0;
        Reason = null;
        CompletedAt = 0;
        JoinedAt = 0;
        StartedAt = Stopwatch.GetTimestamp();
        if (Position is { } position)
        {
            var colon = position.LastIndexOf(':');
            Since = (position[..colon], long.Parse(position[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        }

        _joinRef = _joinRef.Length == 0 ? "1" : (int.Parse(_joinRef, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = Timeout.InfiniteTimeSpan;
        await socket.ConnectAsync(new Uri($"{baseUrl.Replace("http", "ws", StringComparison.Ordinal)}/socket/websocket?vsn=2.0.0&c={Index}"), cancellationToken);
        _socket = socket;
        var history = Position is null ? "{}" : $"{{\"since\":\"{Position}\"}}";
        var join = $"[\"{_joinRef}\",\"{_joinRef}\",\"{topic}\",\"phx_join\",{{\"fenix_history\":{history}}}]";
        await socket.SendAsync(Encoding.UTF8.GetBytes(join), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        _loop = ReceiveLoopAsync(socket);
    }

    /// <summary>Keeps the session alive (Phoenix closes a socket without heartbeats after 60 s).</summary>
    public async Task HeartbeatAsync()
    {
        if (_socket is { State: WebSocketState.Open } socket)
        {
            try
            {
                await socket.SendAsync(HeartbeatFrame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            }
            catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
            {
                // The server went away (the scenario kills it); the receive loop ends on its own.
            }
        }
    }

    /// <summary>Waits for the receive loop to end after the server closed or died (the socket is then disposed).</summary>
    public async Task WaitClosedAsync(TimeSpan timeout)
    {
        if (_loop is { } loop)
        {
            await loop.WaitAsync(timeout);
        }

        _socket?.Dispose();
        _socket = null;
    }

    /// <summary>Closes the session from this side.</summary>
    public async Task CloseAsync()
    {
        if (_socket is { } socket)
        {
            socket.Abort();
            if (_loop is { } loop)
            {
                await loop.ContinueWith(static _ => { }, TaskScheduler.Default);
            }

            socket.Dispose();
            _socket = null;
        }
    }

    private async Task ReceiveLoopAsync(ClientWebSocket socket)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        try
        {
            while (true)
            {
                buffer.ResetWrittenCount();
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.GetMemory(4096), CancellationToken.None);
                    buffer.Advance(result.Count);
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                OnFrame(buffer.WrittenSpan);
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The server died (SIGKILL) or the scenario aborted the socket: the session is over.
        }
    }

    /// <summary>One frame: <c>[join_ref, ref, topic, event, payload]</c>.</summary>
    private void OnFrame(ReadOnlySpan<byte> frame)
    {
        using var json = JsonDocument.Parse(frame.ToArray());
        var root = json.RootElement;
        var @ref = root[1].ValueKind == JsonValueKind.String ? root[1].GetString() : null;
        var @event = root[3].GetString();
        if (@event == "phx_reply" && @ref == _joinRef)
        {
            OnJoinReply(root[4]);
        }
        else if (@event == "msg" && root[0].ValueKind == JsonValueKind.Null)
        {
            OnMessage(@ref, root[4]);
        }
        else if (@event is "phx_error" or "phx_close")
        {
            Fail($"{@event} on the channel");
        }
    }

    private void OnJoinReply(JsonElement reply)
    {
        JoinedAt = Stopwatch.GetTimestamp();
        if (reply.GetProperty("status").GetString() != "ok")
        {
            Fail($"join refused: {reply}");
            return;
        }

        if (!reply.TryGetProperty("history", out var history))
        {
            Fail("join reply without a history member");
            return;
        }

        Recovered = history.GetProperty("recovered").GetBoolean();
        Replayed = history.GetProperty("replayed").GetInt32();
        Reason = history.TryGetProperty("reason", out var reason) ? reason.GetString() : null;
        if (history.GetProperty("position").GetString() is { } position)
        {
            if (Since.Epoch is not null && position != $"{Since.Epoch}:{Since.Offset}")
            {
                Fail($"reply position {position}, asked since {Since.Epoch}:{Since.Offset}");
            }

            Position = position;
        }
    }

    private void OnMessage(string? position, JsonElement payload)
    {
        if (JoinedAt == 0)
        {
            Fail("a message before the join reply");
        }

        var colon = position?.LastIndexOf(':') ?? -1;
        if (position is null || colon < 0)
        {
            Fail($"a message without a position ({position ?? "null"})");
            return;
        }

        var epoch = position[..colon];
        var offset = long.Parse(position.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture);
        if (Position is { } previous)
        {
            var previousColon = previous.LastIndexOf(':');
            var expected = long.Parse(previous.AsSpan(previousColon + 1), System.Globalization.CultureInfo.InvariantCulture) + 1;
            if (previous[..previousColon] != epoch)
            {
                Fail($"epoch {epoch} after {previous}");
            }
            else if (offset != expected)
            {
                Fail(offset < expected ? $"duplicate or old offset {offset} after {previous}" : $"offset {offset} after {previous}: a gap");
            }
        }

        Position = position;
        Sequences.Add(payload.GetProperty("seq").GetInt32());
        var received = _received + 1;
        if (received == DoneAt)
        {
            CompletedAt = Stopwatch.GetTimestamp();
        }

        Volatile.Write(ref _received, received);
    }

    private void Fail(string why) => Error ??= why;
}

using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using Fenix.Bench.Shared;

namespace Fenix.Bench.LoadGen;

/// <summary>
/// The state of one load generator process and its commands. All sends go through <see cref="_sendGate"/>, because a
/// WebSocket allows one send at a time and heartbeats and chat messages come from different loops.
/// </summary>
internal sealed class LoadGenRunner : IAsyncDisposable
{
    private readonly List<ClientConnection> _connections = [];

    /// <summary>Connections opened by the <see cref="LeanConnector"/> (under the <see cref="_connections"/> lock too).</summary>
    private readonly List<LeanConnection> _leanConnections = [];

    /// <summary>The lean connector's heartbeat frame, once it connected something.</summary>
    private byte[]? _leanHeartbeat;
    private readonly List<Task> _receiveLoops = [];
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private WireProtocol? _wire;
    private Recorder _recorder = new(presence: false);
    private Task? _heartbeats;

    /// <summary>Connections opened so far (written under the <see cref="_connections"/> lock, read by the progress timer).</summary>
    private int _connectedCount;

    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(30);

    private static readonly ParallelOptions HeartbeatParallelism = new() { MaxDegreeOfParallelism = 256 };

    public async Task<LoadGenEvent> HandleAsync(LoadGenCommand command) => command.Op switch
    {
        "connect" => await ConnectAsync(command),
        "reset" => Reset(command),
        "chat" => await ChatAsync(command),
        "publish" => await PublishAsync(command),
        "progress" => Progress(),
        "report" => Report(),
        "close" => await CloseAsync(),
        _ => new LoadGenEvent { Ev = "error", FirstError = $"unknown op '{command.Op}'" },
    };

    public async ValueTask DisposeAsync()
    {
        await CloseAsync();
        _stopping.Dispose();
        _sendGate.Dispose();
    }

    private async Task<LoadGenEvent> ConnectAsync(LoadGenCommand command)
    {
        var wire = _wire = WireProtocol.For(command.Server ?? "fenix");
        _recorder = new Recorder(presence: wire.TracksPresence);
        var source = command.SourceAddress is { } address ? IPAddress.Parse(address) : null;
        var joinTimeout = TimeSpan.FromSeconds(Math.Clamp(command.JoinTimeoutSeconds, 0, 600));
        using var connector = new Connector(wire, source, join: !command.NoJoin, joinTimeout);
        var lean = command.Lean && LeanConnector.Supports(wire) ? new LeanConnector(wire, command.BaseUrl!, source, join: !command.NoJoin, joinTimeout) : null;
        _leanHeartbeat ??= lean?.Heartbeat;
        var failed = 0;
        string? firstError = null;
        var start = Stopwatch.GetTimestamp();

        // Heartbeats start with the first connection, as each client library's do: a connect phase longer than the
        // server's idle timeout (a big presence room on a loaded machine) must not get its first connections closed.
        _heartbeats ??= HeartbeatLoopAsync(wire);
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, command.Concurrency), CancellationToken = _stopping.Token };
        using var progress = new Timer(
            _ => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] load generator {command.SourceAddress}: {Volatile.Read(ref _connectedCount):N0} of {command.Count:N0} connected, {Volatile.Read(ref failed):N0} failed"),
            null,
            ProgressInterval,
            ProgressInterval);
        await Parallel.ForAsync(0, command.Count, options, async (i, cancellationToken) =>
        {
            var index = command.First + i;
            var topic = command.RoomSize > 0 ? $"{command.Topic}{index / command.RoomSize}" : command.Topic ?? "idle:all";
            try
            {
                if (lean is not null)
                {
                    var (leanConnection, leanMicros) = await lean.ConnectAsync(topic, index, cancellationToken);
                    _recorder.ConnectLatency.Record(leanMicros);
                    var drain = leanConnection.DrainAsync(_stopping.Token);
                    lock (_connections)
                    {
                        _connectedCount++;
                        _leanConnections.Add(leanConnection);
                        _receiveLoops.Add(drain);
                    }

                    return;
                }

                var (connection, micros) = await connector.ConnectAsync(command.BaseUrl!, topic, index, _recorder, cancellationToken);
                _recorder.ConnectLatency.Record(micros);
                lock (_connections)
                {
                    _connectedCount++;
                    _connections.Add(connection);
                    _receiveLoops.Add(Task.Run(() => connection.ReceiveLoopAsync(_recorder, _stopping.Token), CancellationToken.None));
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !_stopping.IsCancellationRequested)
            {
                Interlocked.Increment(ref failed);
                Interlocked.CompareExchange(ref firstError, $"{e.GetType().Name}: {e.Message}", null);
            }
        });
        var end = Stopwatch.GetTimestamp();
        lock (_connections)
        {
            _connections.Sort((a, b) => a.Index.CompareTo(b.Index));
        }

        return new LoadGenEvent
        {
            Ev = "connected",
            Ok = _connections.Count + _leanConnections.Count,
            Failed = failed,
            FirstError = firstError,
            StartTs = start,
            EndTs = end,
            ConnectLatency = _recorder.ConnectLatency.ToArray(),
        };
    }

    private LoadGenEvent Reset(LoadGenCommand command)
    {
        _recorder.Reset((int)command.PerConnection);
        foreach (var connection in _connections)
        {
            connection.Reset((int)command.PerConnection);
        }

        return new LoadGenEvent { Ev = "reset" };
    }

    /// <summary>Every connection sends <see cref="LoadGenCommand.Rate"/> messages/s for <see cref="LoadGenCommand.Seconds"/>, spread evenly.</summary>
    private async Task<LoadGenEvent> ChatAsync(LoadGenCommand command)
    {
        var wire = _wire ?? throw new InvalidOperationException("connect first");
        var body = new string('x', Math.Max(0, command.Size - 40));
        var duration = TimeSpan.FromSeconds(Math.Clamp(command.Seconds, 0, 600));
        var total = (long)(_connections.Count * command.Rate * duration.TotalSeconds);
        var perSecond = _connections.Count * command.Rate;
        var start = Stopwatch.GetTimestamp();
        long sent = 0;
        while (sent < total && Stopwatch.GetElapsedTime(start) < duration + TimeSpan.FromSeconds(5))
        {
            var due = Math.Min(total, (long)(Stopwatch.GetElapsedTime(start).TotalSeconds * perSecond));
            if (sent < due)
            {
                await _sendGate.WaitAsync();
                try
                {
                    for (; sent < due; sent++)
                    {
                        var connection = _connections[(int)(sent % _connections.Count)];
                        await SendAsync(connection, wire.ChatFrame(connection.Topic, Stopwatch.GetTimestamp(), -1, body));
                    }
                }
                finally
                {
                    _sendGate.Release();
                }
            }

            await Task.Delay(1);
        }

        return new LoadGenEvent { Ev = "chatted", Sent = sent, StartTs = start, EndTs = Stopwatch.GetTimestamp() };
    }

    /// <summary>
    /// Paced fan-out: the one connection with global index <see cref="LoadGenCommand.Publisher"/> (if this process holds
    /// it) sends <see cref="LoadGenCommand.Rate"/> messages/s for <see cref="LoadGenCommand.Seconds"/> on a fixed schedule,
    /// numbered from 0 so every receiver's slowest delivery of each can be found; other processes answer at once.
    /// </summary>
    private async Task<LoadGenEvent> PublishAsync(LoadGenCommand command)
    {
        var wire = _wire ?? throw new InvalidOperationException("connect first");
        var publisher = _connections.Find(c => c.Index == command.Publisher);
        var start = Stopwatch.GetTimestamp();
        if (publisher is null || command.Rate <= 0)
        {
            return new LoadGenEvent { Ev = "published", StartTs = start, EndTs = start };
        }

        var body = new string('x', Math.Max(0, command.Size - 64));
        var total = (int)Math.Min(1_000_000, command.Rate * Math.Clamp(command.Seconds, 0, 600));
        var interval = Stopwatch.Frequency / command.Rate;
        var sent = 0;
        for (; sent < total && !_stopping.IsCancellationRequested; sent++)
        {
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), start + (long)(sent * interval));
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            await _sendGate.WaitAsync();
            try
            {
                await SendAsync(publisher, wire.ChatFrame(publisher.Topic, Stopwatch.GetTimestamp(), sent, body));
            }
            finally
            {
                _sendGate.Release();
            }
        }

        return new LoadGenEvent { Ev = "published", Sent = sent, StartTs = start, EndTs = Stopwatch.GetTimestamp() };
    }

    private LoadGenEvent Progress()
    {
        long received = 0;
        var agreed = 0;
        foreach (var connection in _connections)
        {
            received += Volatile.Read(ref connection.Received);
            agreed += connection.PresenceMembers;
        }

        return new LoadGenEvent { Ev = "progress", Received = received, Dropped = Dropped(), Agreed = agreed };
    }

    private LoadGenEvent Report()
    {
        long received = 0, presenceFrames = 0, lastReceived = 0, firstSent = long.MaxValue;
        var audit = default(DeliveryAudit);
        foreach (var connection in _connections)
        {
            connection.AuditInto(ref audit);
            received += connection.Received;
            presenceFrames += connection.PresenceFrames;
            lastReceived = Math.Max(lastReceived, connection.LastReceivedTs);
            firstSent = Math.Min(firstSent, connection.FirstSentTs);
        }

        return new LoadGenEvent
        {
            Ev = "report",
            Ok = _connections.Count + _leanConnections.Count,
            Received = received,
            Dropped = Dropped(),
            FirstSentTs = firstSent == long.MaxValue ? 0 : firstSent,
            LastReceivedTs = lastReceived,
            Latency = _recorder.Latency.ToArray(),
            ConnectLatency = _recorder.ConnectLatency.ToArray(),
            SeqMaxMicros = _recorder.SeqMaxMicros,
            PresenceFrames = presenceFrames,
            FirstError = _connections.Find(c => !c.IsOpen) is { } closed
                ? $"connection {closed.Index}: {closed.Socket.State}, {closed.Socket.CloseStatus} {closed.Socket.CloseStatusDescription}"
                : null,
            ExactlyOnce = audit.ExactlyOnce,
            Missing = audit.Missing,
            Extra = audit.Extra,
        };
    }

    private int Dropped() => _connections.Count(c => !c.IsOpen) + _leanConnections.Count(c => !c.IsOpen);

    private async Task<LoadGenEvent> CloseAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return new LoadGenEvent { Ev = "closed" };
        }

        await _stopping.CancelAsync();
        foreach (var connection in _connections)
        {
            connection.Socket.Abort();
            connection.Socket.Dispose();
        }

        foreach (var connection in _leanConnections)
        {
            connection.Abort();
        }

        // Bounded: the loops end when their sockets are aborted.
        await Task.WhenAll(_receiveLoops).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(static _ => { }, TaskScheduler.Default);
        return new LoadGenEvent { Ev = "closed", Ok = _connections.Count };
    }

    /// <summary>Keeps every connection alive as its client library would (Phoenix heartbeat, SignalR ping).</summary>
    private async Task HeartbeatLoopAsync(WireProtocol wire)
    {
        if (wire.HeartbeatInterval == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        long n = 0;
        try
        {
            using var timer = new PeriodicTimer(wire.HeartbeatInterval);
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                ClientConnection[] connections;
                LeanConnection[] leanConnections;
                lock (_connections)
                {
                    connections = [.. _connections];
                    leanConnections = [.. _leanConnections];
                }

                await _sendGate.WaitAsync(_stopping.Token);
                try
                {
                    // One send per connection, many connections at once: one after the other, a round of 15,000 awaited
                    // sends outlasts the server's idle timeout on a starved machine, and the server closes the clients.
                    await Parallel.ForEachAsync(connections, HeartbeatParallelism, async (connection, _) =>
                        await SendAsync(connection, wire.Heartbeat(Interlocked.Increment(ref n))!));
                    if (_leanHeartbeat is { } heartbeat)
                    {
                        await Parallel.ForEachAsync(leanConnections, HeartbeatParallelism, async (connection, _) => await connection.SendAsync(heartbeat));
                    }
                }
                finally
                {
                    _sendGate.Release();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Closing.
        }
    }

    private static async ValueTask SendAsync(ClientConnection connection, byte[] frame)
    {
        if (!connection.IsOpen)
        {
            return;
        }

        try
        {
            await connection.Socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
            // The receive loop sees the close; the connection counts as dropped.
        }
    }
}

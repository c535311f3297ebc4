using Fenix.Client.Diagnostics;
using Fenix.Client.Internal;
using Fenix.Protocol;

namespace Fenix.Client;

/// <summary>Sending, the send buffer, routing received frames, heartbeats and pings. Everything here runs on the loop.</summary>
public sealed partial class Socket
{
    /// <summary>Sends now when connected, else buffers until the next open (dropped then if its channel moved on).</summary>
    internal void Push(Message message, Channel? channel)
    {
        _log.Push(message.Topic, message.Event, message.JoinRef, message.Ref);
        if (IsConnected)
        {
            Send(message, channel);
        }
        else
        {
            _sendBuffer.Add(() =>
            {
                if (!IsOutdated(message, channel))
                {
                    Send(message, channel);
                }
            });
        }
    }

    private void Send(Message message, Channel? channel)
    {
        var connection = _connection;
        if (connection is not { IsOpen: true })
        {
            return;
        }

        if (channel is not null && message.Event == PhoenixEvents.Join)
        {
            connection.Joins[channel] = message.JoinRef;
        }

        // A leave must still reach the server after its channel closed locally.
        if (message.Event != PhoenixEvents.Leave && IsOutdated(message, channel))
        {
            return;
        }

        connection.Transport.Send(FrameCodec.Encode(message));
    }

    /// <summary>The push was made for an earlier join of its channel, or the channel closed since.</summary>
    private static bool IsOutdated(Message message, Channel? channel) =>
        channel is not null && (message.JoinRef != channel.JoinRef || channel.State == ChannelState.Closed);

    private void FlushSendBuffer()
    {
        if (!IsConnected || _sendBuffer.Count == 0)
        {
            return;
        }

        var buffered = _sendBuffer.ToArray();
        _sendBuffer.Clear();
        foreach (var send in buffered)
        {
            send();
        }
    }

    internal void OnConnMessage(Connection connection, ReadOnlyMemory<byte> data, bool isBinary)
    {
        if (connection != _connection || !connection.IsOpen)
        {
            return;
        }

        InboundFrame frame;
        try
        {
            frame = FrameCodec.Decode(data.Span, isBinary);
        }
        catch (MessageDecodeException e)
        {
            _log.DecodeFailed(e);
            return;
        }

        var message = frame.Message;
        if (message.Ref is not null && message.Ref == _pendingHeartbeatRef)
        {
            ClearHeartbeats();
            _heartbeatTimer.Schedule(_options.HeartbeatInterval);
        }

        _log.Receive(message.Topic, message.Event, message.JoinRef, message.Ref);
        foreach (var channel in _channels)
        {
            if (channel.IsMember(message))
            {
                channel.Trigger(message, frame.Reply);
            }
        }

        Raise(MessageReceived, message);
        if (message.Ref is not null && connection.Pings.Remove(message.Ref, out var ping))
        {
            ping.Replied(Time.GetElapsedTime(ping.StartTimestamp));
        }
    }

    private void ResetHeartbeat()
    {
        if (_connection is { } connection && connection.Transport.SkipHeartbeat)
        {
            return;
        }

        ClearHeartbeats();
        _heartbeatTimer.Schedule(_options.HeartbeatInterval);
    }

    private void ClearHeartbeats()
    {
        _heartbeatTimer.Cancel();
        _heartbeatTimeoutTimer.Cancel();

        // A late reply to the pending heartbeat must not restart the heartbeats.
        _pendingHeartbeatRef = null;
    }

    private void SendHeartbeat()
    {
        if (_pendingHeartbeatRef is not null && !IsConnected)
        {
            return;
        }

        _pendingHeartbeatRef = MakeRef();
        Push(new Message(null, _pendingHeartbeatRef, PhoenixEvents.PhoenixTopic, PhoenixEvents.Heartbeat, Payload.Empty), null);
        _heartbeatTimeoutTimer.Schedule(_options.EffectiveHeartbeatTimeout);
    }

    private void OnHeartbeatTimeout()
    {
        if (_pendingHeartbeatRef is null)
        {
            return;
        }

        var connection = _connection;
        _pendingHeartbeatRef = null;
        _log.HeartbeatTimeout();
        _closeWasClean = false;

        // The connection is presumed dead: close it now (1000, as phoenix.js) and reconnect explicitly.
        connection?.Close(SocketCloseInfo.NormalClosure, "heartbeat timeout");
        if (!StillUses(connection))
        {
            return;
        }

        TriggerChannelError("heartbeat_timeout", connection);
        if (!StillUses(connection))
        {
            return;
        }

        var clock = _connectClock;
        Teardown(connection!, null, null);
        if (clock == _connectClock)
        {
            ScheduleReconnect();
        }
    }

    /// <summary>Sends a heartbeat with a fresh ref; false when not connected.</summary>
    private bool Ping(Action<TimeSpan> replied, Action lost)
    {
        if (_connection is not { IsOpen: true } connection)
        {
            return false;
        }

        var @ref = MakeRef();
        connection.Pings[@ref] = new PendingPing(Time.GetTimestamp(), replied, lost);
        Push(new Message(null, @ref, PhoenixEvents.PhoenixTopic, PhoenixEvents.Heartbeat, Payload.Empty), null);
        return true;
    }
}

using Fenix.Client.Diagnostics;
using Fenix.Client.Internal;
using Fenix.Client.Transports;

namespace Fenix.Client;

/// <summary>Connecting, reconnecting and closing; the transport events. Everything here runs on the loop.</summary>
public sealed partial class Socket
{
    private void ConnectCore()
    {
        if (_disposed || _connection is { Ended: false })
        {
            return;
        }

        if (_options.LongPollFallback is { } threshold && _transport == TransportKind.WebSocket)
        {
            ConnectWithFallback(threshold);
        }
        else
        {
            TransportConnect();
        }
    }

    private void TransportConnect()
    {
        var previous = _connection;
        _connectClock++;
        _closeWasClean = false;

        // A pending reconnect would tear this connection down; its tries only reset once a connection opens.
        _reconnectTimer.Cancel();
        var connection = new Connection(this, _transport);
        try
        {
            var url = EndpointUrl();
            var authToken = _options.AuthToken?.Invoke();
            _log.Connecting(_transport, url.GetLeftPart(UriPartial.Path));
            connection.Transport = CreateTransport(new TransportRequest(_transport, url, authToken, connection));
        }
        catch (Exception e)
        {
            // Evaluating params or the auth token failed: report it and retry later like any failed connect.
            _log.TransportError(e.Message, e);
            Raise(Error, e);
            ScheduleReconnect();
            return;
        }

        _connection = connection;
        if (previous is { IsOpen: true })
        {
            TriggerChannelError("connection_closed", previous);
        }

        connection.Transport.Start();
    }

    private ITransport CreateTransport(TransportRequest request)
    {
        if (_options.TransportFactory is { } factory)
        {
            return factory(request);
        }

        return request.Kind == TransportKind.LongPoll
            ? new LongPollTransport(Internal.EndpointUrl.LongPoll(request.Url), request.AuthToken, _http.Value, _options.LongPollerTimeout, request.Events, Time)
            : new WebSocketTransport(request.Url, request.AuthToken, _options, request.Events);
    }

    /// <summary>Stops for good until the next connect; returns the closing transport's completion.</summary>
    private Task DisconnectCore(int code, string? reason)
    {
        _connectClock++;
        _closeWasClean = true;
        CancelFallback();
        _reconnectTimer.Reset();
        foreach (var waiter in _openWaiters)
        {
            waiter.TrySetCanceled();
        }

        _openWaiters.Clear();
        var connection = _connection;
        if (connection is null)
        {
            return Task.CompletedTask;
        }

        connection.Ended = true;
        Teardown(connection, code, reason);
        return connection.Transport.Completion;
    }

    /// <summary>Closes <paramref name="connection"/> (unless already closing), errors the channels it carried, and forgets it.</summary>
    private void Teardown(Connection connection, int? code, string? reason)
    {
        ClearHeartbeats();
        if (!connection.Closing)
        {
            var wasOpen = connection.IsOpen;
            connection.Close(code, reason);
            if (wasOpen)
            {
                TriggerChannelError("connection_closed", connection);
            }
        }

        connection.AbandonPings();
        if (_connection == connection)
        {
            _connection = null;
        }
    }

    private void OnReconnectTimer()
    {
        var clock = _connectClock;
        if (_connection is { } connection)
        {
            Teardown(connection, null, null);
        }

        // A disconnect or connect from a handler during the teardown takes precedence.
        if (clock == _connectClock && !_closeWasClean)
        {
            ConnectCore();
        }
    }

    private void ScheduleReconnect()
    {
        var delay = _reconnectTimer.ScheduleTimeout();
        _log.ReconnectScheduled(delay, _reconnectTimer.Tries + 1);
    }

    private bool StillUses(Connection? connection) => _connection == connection && connection is { Ended: false };

    internal void OnConnOpen(Connection connection)
    {
        if (connection != _connection || connection.Closing)
        {
            return;
        }

        connection.IsOpen = true;
        _log.Connected(connection.Kind, _endpoint.ToString());
        _closeWasClean = false;
        FlushSendBuffer();
        _reconnectTimer.Reset();
        ResetHeartbeat();
        foreach (var waiter in _openWaiters)
        {
            waiter.TrySetResult();
        }

        _openWaiters.Clear();
        Raise(Opened);
        foreach (var channel in _channels)
        {
            channel.OnSocketOpen();
        }

        OnFallbackOpen(connection);
    }

    internal void OnConnError(Connection connection, Exception error)
    {
        // Closing a connection may make its transport fail; that failure was caused by us.
        if (connection != _connection || connection.Closing)
        {
            return;
        }

        _log.TransportError(error.Message, error);
        Raise(Error, error);
        foreach (var channel in _channels)
        {
            channel.OnSocketError();
        }

        OnFallbackError(connection, error);
        TriggerChannelError("connection_error", connection);
    }

    internal void OnConnClose(Connection connection, SocketCloseInfo close)
    {
        if (connection.CloseHandled)
        {
            return;
        }

        connection.CloseHandled = true;
        connection.AbandonPings();
        if (connection != _connection)
        {
            // A connection we replaced or tore down: its close only confirms ours.
            Raise(Closed, close);
            return;
        }

        ClearHeartbeats();
        var closedByUs = connection.Closing;
        connection.IsOpen = false;
        TriggerChannelError("connection_closed", connection);
        var normal = close.Code == SocketCloseInfo.NormalClosure && !_options.ReconnectOnNormalClosure;
        var reconnect = StillUses(connection) && !closedByUs && !_closeWasClean && !normal;
        if (StillUses(connection))
        {
            _connection = null;
            connection.Ended = true;
        }

        _log.Closed(close.Code, close.Reason, reconnect ? "reconnecting" : "not reconnecting");
        if (reconnect)
        {
            ScheduleReconnect();
        }
        else if (!closedByUs && normal)
        {
            // The server closed normally: it does not want us back.
            _closeWasClean = true;
        }

        Raise(Closed, close);
    }

    /// <summary>
    /// Errors the channels that must rejoin because <paramref name="connection"/> stopped being open. After the
    /// first time for a closed connection, only channels whose current join it carried are errored.
    /// </summary>
    private void TriggerChannelError(string reason, Connection? connection)
    {
        var erroredBefore = false;
        if (connection is { IsOpen: false })
        {
            erroredBefore = connection.ChannelsErrored;
            connection.ChannelsErrored = true;
        }

        // Error handlers may rejoin later channels; a channel whose join changed meanwhile is left alone.
        var joins = Array.ConvertAll(_channels, channel => (channel, channel.JoinRef));
        foreach (var (channel, joinRef) in joins)
        {
            if (channel.JoinRef != joinRef)
            {
                continue;
            }

            if (connection is not null && (erroredBefore || connection != _connection) && !connection.Carried(channel, joinRef))
            {
                continue;
            }

            if (channel.State is not (ChannelState.Errored or ChannelState.Leaving or ChannelState.Closed))
            {
                channel.TriggerTransportError(reason);
            }
        }
    }
}

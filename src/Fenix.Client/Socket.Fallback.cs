using Fenix.Client.Diagnostics;
using Fenix.Client.Internal;

namespace Fenix.Client;

/// <summary>
/// Falling back from WebSocket to long poll (phoenix.js <c>longPollFallbackMs</c>): a WebSocket that fails before
/// opening, or does not open and answer a ping within the threshold, is replaced by long poll for good.
/// </summary>
public sealed partial class Socket
{
    private readonly LoopTimer _fallbackTimer;

    /// <summary>The current attempt over the primary transport, while a fallback is still possible.</summary>
    private FallbackAttempt? _fallbackAttempt;

    /// <summary>The WebSocket once answered a ping: a later failure is a network problem, not a blocked transport.</summary>
    private bool _primaryPassedHealthCheck;

    private void ConnectWithFallback(TimeSpan threshold)
    {
        CancelFallback();
        _fallbackTimer.Schedule(threshold);
        TransportConnect();
        _fallbackAttempt = new FallbackAttempt(_connectClock, threshold);
    }

    private void CancelFallback()
    {
        _fallbackTimer.Cancel();
        _fallbackAttempt = null;
    }

    private bool IsCurrent(FallbackAttempt attempt) => attempt.Clock == _connectClock && !_closeWasClean;

    private void OnFallbackOpen(Connection connection)
    {
        if (_fallbackAttempt is not { } attempt || !IsCurrent(attempt) || connection.Kind != TransportKind.WebSocket)
        {
            return;
        }

        // Opened: now it must also answer a ping within the threshold.
        attempt.Established = true;
        _fallbackTimer.Schedule(attempt.Threshold);
        Ping(
            _ =>
            {
                _primaryPassedHealthCheck = true;
                CancelFallback();
            },
            () => { });
    }

    private void OnFallbackError(Connection connection, Exception error)
    {
        if (_fallbackAttempt is { Established: false } attempt && IsCurrent(attempt) && connection.Kind == TransportKind.WebSocket)
        {
            FallBack(error.Message);
        }
    }

    private void FallBack(string reason)
    {
        if (_fallbackAttempt is null || _transport != TransportKind.WebSocket)
        {
            return;
        }

        _log.FallingBack(_primaryPassedHealthCheck ? $"{reason} (the WebSocket worked before)" : reason);
        ReplaceTransport(TransportKind.LongPoll);
        TransportConnect();
    }

    /// <summary>Drops the current connection without reconnecting and switches transport.</summary>
    private void ReplaceTransport(TransportKind transport)
    {
        _connectClock++;
        _closeWasClean = true;
        CancelFallback();
        _reconnectTimer.Reset();
        _transport = transport;
        if (_connection is { } connection)
        {
            var wasOpen = connection.IsOpen;
            _connection = null;
            connection.Ended = true;
            connection.Close(null, null);
            connection.AbandonPings();
            ClearHeartbeats();

            // Pushes in flight on the old connection are lost, so its channels rejoin.
            if (wasOpen)
            {
                TriggerChannelError("connection_closed", connection);
            }
        }
    }

    private sealed class FallbackAttempt(int clock, TimeSpan threshold)
    {
        public int Clock => clock;

        public TimeSpan Threshold => threshold;

        public bool Established { get; set; }
    }
}

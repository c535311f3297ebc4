using Microsoft.Extensions.Logging;

namespace Fenix.AspNetCore.Diagnostics;

/// <summary>Fenix's log lines. Event ids are stable: they are part of the public surface, do not renumber.</summary>
internal static partial class FenixLog
{
    [LoggerMessage(1001, LogLevel.Debug, "Connected {Transport} socket {SocketType} (id {SocketId}, serializer {Serializer}) from {Peer} over {HttpProtocol}")]
    public static partial void Connected(this ILogger logger, string transport, string socketType, string? socketId, string serializer, string? peer, string httpProtocol);

    [LoggerMessage(1002, LogLevel.Information, "Refused {Transport} connection to {SocketType}: {Reason}")]
    public static partial void ConnectRefused(this ILogger logger, string transport, string socketType, string reason);

    [LoggerMessage(1003, LogLevel.Warning, "The requested transport version \"{Vsn}\" does not match any serializer (~> 1.0.0 for V1, ~> 2.0.0 for V2); refusing the connection")]
    public static partial void VersionMismatch(this ILogger logger, string? vsn);

    [LoggerMessage(1004, LogLevel.Debug, "Closed {Transport} connection (id {SocketId}): {Code} {Reason}")]
    public static partial void Disconnected(this ILogger logger, string transport, string? socketId, int code, string reason);

    [LoggerMessage(1005, LogLevel.Warning, "Closing a slow consumer (id {SocketId}): {QueuedBytes} bytes queued, limit {Limit}")]
    public static partial void SlowConsumer(this ILogger logger, string? socketId, long queuedBytes, long limit);

    [LoggerMessage(1006, LogLevel.Warning, "Closing connection (id {SocketId}) after an undecodable frame: {Reason}")]
    public static partial void UndecodableFrame(this ILogger logger, string? socketId, string reason);

    [LoggerMessage(1007, LogLevel.Debug, "WebSocket protocol violation, closing (id {SocketId}): {Reason}")]
    public static partial void ProtocolViolation(this ILogger logger, string? socketId, string reason);

    [LoggerMessage(1008, LogLevel.Error, "Connect callback of {SocketType} failed")]
    public static partial void ConnectCrashed(this ILogger logger, string socketType, Exception exception);

    [LoggerMessage(1009, LogLevel.Debug, "Origin {Origin} is not allowed; refusing the connection")]
    public static partial void OriginRefused(this ILogger logger, string origin);

    [LoggerMessage(1010, LogLevel.Warning, "Connection write failed (id {SocketId})")]
    public static partial void WriteFailed(this ILogger logger, string? socketId, Exception exception);

    [LoggerMessage(1011, LogLevel.Debug, "Connection (id {SocketId}) went away while the server was writing to it: {Error}: {Message}")]
    public static partial void PeerGoneWhileWriting(this ILogger logger, string? socketId, string error, string message);

    [LoggerMessage(1012, LogLevel.Warning, "Connection receive loop failed (id {SocketId})")]
    public static partial void ReceiveFailed(this ILogger logger, string? socketId, Exception exception);

    [LoggerMessage(1013, LogLevel.Warning, "UseFenixWebSockets leaves the WebSocket route {Route} of {SocketType} to the HTTP stack: {Reason}")]
    public static partial void DirectRouteOnHttpStack(this ILogger logger, string route, string socketType, string reason);

    [LoggerMessage(1014, LogLevel.Warning, "UseFenixWebSockets sees TLS handshakes on an endpoint: it runs before UseHttps, so it serves no WebSocket there; call it after UseHttps")]
    public static partial void DirectListenerSeesTls(this ILogger logger);

    [LoggerMessage(1015, LogLevel.Error, "Authenticating a WebSocket handshake on the direct listener (UseFenixWebSockets) failed")]
    public static partial void DirectAuthenticationFailed(this ILogger logger, Exception exception);

    [LoggerMessage(2001, LogLevel.Debug, "Joined {Topic} with {Channel}")]
    public static partial void Joined(this ILogger logger, string topic, string channel);

    [LoggerMessage(2002, LogLevel.Debug, "Join of {Topic} refused by {Channel}")]
    public static partial void JoinRefused(this ILogger logger, string topic, string channel);

    [LoggerMessage(2003, LogLevel.Error, "Join of {Topic} crashed in {Channel}")]
    public static partial void JoinCrashed(this ILogger logger, string topic, string channel, Exception exception);

    [LoggerMessage(2004, LogLevel.Debug, "Ignoring join of {Topic}: no channel route matches it")]
    public static partial void UnmatchedTopic(this ILogger logger, string topic);

    [LoggerMessage(2005, LogLevel.Error, "Channel {Channel} on {Topic} crashed")]
    public static partial void ChannelCrashed(this ILogger logger, string channel, string topic, Exception exception);

    [LoggerMessage(2006, LogLevel.Warning, "Channel {Channel} on {Topic} stopped with error reason {Reason}")]
    public static partial void ChannelStoppedWithError(this ILogger logger, string channel, string topic, string reason);

    [LoggerMessage(2007, LogLevel.Error, "TerminateAsync of {Channel} on {Topic} failed")]
    public static partial void TerminateFailed(this ILogger logger, string channel, string topic, Exception exception);

    [LoggerMessage(2008, LogLevel.Warning, "{Channel} on {Topic} received a message it does not handle: {MessageType} (override HandleInfoAsync)")]
    public static partial void UnhandledInfo(this ILogger logger, string channel, string topic, string messageType);

    [LoggerMessage(2009, LogLevel.Debug, "Dropping {Event} on {Topic}: join_ref {JoinRef} is stale")]
    public static partial void StaleMessage(this ILogger logger, string topic, string @event, string? joinRef);

    [LoggerMessage(2010, LogLevel.Debug, "Join of {Topic} refused: the connection already has {Count} channels")]
    public static partial void TooManyChannels(this ILogger logger, string topic, int count);

    [LoggerMessage(2011, LogLevel.Error, "Channel {Channel} on {Topic}: mailbox overflow ({Count} messages), crashing it")]
    public static partial void MailboxOverflow(this ILogger logger, string channel, string topic, int count);

    [LoggerMessage(2012, LogLevel.Warning, "Dropping a frame for {Topic}: {Reason}")]
    public static partial void FrameDropped(this ILogger logger, string topic, string reason);

    [LoggerMessage(2013, LogLevel.Debug, "Join of {Topic} refused: the user does not satisfy policy \"{Policy}\"")]
    public static partial void JoinUnauthorized(this ILogger logger, string topic, string policy);

    [LoggerMessage(2014, LogLevel.Error, "Disposing the services of {Channel} on {Topic} failed")]
    public static partial void ScopeDisposeFailed(this ILogger logger, string channel, string topic, Exception exception);

    [LoggerMessage(2015, LogLevel.Warning, "{Channel} on {Topic} did not finish what it was handling within {Grace} of a duplicate join; abandoning it")]
    public static partial void ChannelAbandoned(this ILogger logger, string channel, string topic, TimeSpan grace);

    [LoggerMessage(2016, LogLevel.Warning, "Refused a join of {Topic} ({Result}). Clients retry refused joins, so an open page repeats them: further refusals are summarised at most every {IntervalSeconds} s, and each one is logged at Debug level")]
    public static partial void JoinRefusedSummaryStart(this ILogger logger, string topic, string result, double intervalSeconds);

    [LoggerMessage(2017, LogLevel.Warning, "Refused {Count} joins in the last {Seconds} s: {Unmatched} for topics no channel route matches, {TooMany} over MaxChannels, {Unauthorized} unauthorized (latest: {Topic}, {Result}); clients keep retrying them")]
    public static partial void JoinsRefused(this ILogger logger, long count, int seconds, long unmatched, long tooMany, long unauthorized, string topic, string result);

    [LoggerMessage(3001, LogLevel.Error, "PubSub delivery on {Topic} failed")]
    public static partial void DeliveryFailed(this ILogger logger, string topic, Exception exception);

    [LoggerMessage(3002, LogLevel.Information, "Draining {Count} connections")]
    public static partial void Draining(this ILogger logger, int count);
}

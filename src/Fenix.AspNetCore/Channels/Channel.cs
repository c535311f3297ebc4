using System.Collections.Frozen;
using System.Text.Json;
using Fenix.AspNetCore.Channels;
using Fenix.AspNetCore.Diagnostics;
using Fenix.AspNetCore.Presence;

namespace Fenix;

/// <summary>
/// The base of a channel: one instance per joined topic per connection, created with constructor injection.
/// Its callbacks run one at a time, in order, so instance fields and <see cref="ChannelSocket.Assigns"/> need no locks.
/// An exception in a callback crashes this channel only: its client gets <c>phx_error</c> and may rejoin.
/// </summary>
public abstract class Channel
{
    private ChannelServer? _server;

    /// <summary>Events whose broadcasts visit <see cref="HandleOutAsync"/> instead of going straight to the client.</summary>
    internal FrozenSet<string> Intercepts { get; private set; } = FrozenSet<string>.Empty;

    /// <summary>The channel's topic.</summary>
    public string Topic => Server.Topic;

    /// <summary>The connection as this channel sees it (assigns, ids, user).</summary>
    public ChannelSocket Socket => Server.Socket;

    internal ChannelServer Server =>
        _server ?? throw new InvalidOperationException("This channel is not attached yet: use it from JoinAsync or a later callback, not from the constructor.");

    /// <summary>
    /// Authorizes the join of <see cref="Topic"/> with the client's join <paramref name="payload"/>. Pushes made here are
    /// sent right after the join reply (and dropped if the join is refused).
    /// </summary>
    public virtual ValueTask<JoinResult> JoinAsync(Payload payload) => JoinResult.Ok();

    /// <summary>Handles an event pushed by the client (its ref is <see cref="ChannelSocket.Ref"/> while this runs).</summary>
    public virtual ValueTask<HandleInResult> HandleInAsync(string @event, Payload payload) =>
        throw new NotSupportedException(
            $"{GetType().Name} received the event '{@event}' but does not override HandleInAsync.");

    /// <summary>Handles a server-side message: <see cref="Send"/>, <see cref="SendAfter"/>, or a broadcast on a topic added with <see cref="Subscribe"/>.</summary>
    public virtual ValueTask HandleInfoAsync(object message)
    {
        Server.Log.UnhandledInfo(GetType().Name, Topic, message.GetType().Name);
        return ValueTask.CompletedTask;
    }

    /// <summary>Handles a broadcast of an intercepted event (see <see cref="Intercept"/>) for this subscriber: push it, rewrite it, or drop it.</summary>
    public virtual ValueTask HandleOutAsync(string @event, Payload payload)
    {
        Push(@event, payload);
        return ValueTask.CompletedTask;
    }

    /// <summary>Runs when the channel stops from the inside or its connection ends (not when a duplicate join replaces it).</summary>
    public virtual ValueTask TerminateAsync(TerminateReason reason) => ValueTask.CompletedTask;

    /// <summary>Pushes <paramref name="event"/> to this channel's client only. Safe to call from any thread.</summary>
    public void Push(string @event, object? payload = null) =>
        Server.SendPush(@event, PresencePayload.From(payload, JsonOptions).EnsureObject("A push payload"));

    /// <summary>Sends to every subscriber of this topic on every node, including this channel's client.</summary>
    public void Broadcast(string @event, object? payload = null) =>
        Server.Broadcast(@event, PresencePayload.From(payload, JsonOptions).EnsureObject("A broadcast payload"), excludeSelf: false);

    /// <summary>Sends to every subscriber of this topic on every node except this channel's client.</summary>
    public void BroadcastFrom(string @event, object? payload = null) =>
        Server.Broadcast(@event, PresencePayload.From(payload, JsonOptions).EnsureObject("A broadcast payload"), excludeSelf: true);

    /// <summary>Delivers <paramref name="message"/> to this channel's <see cref="HandleInfoAsync"/> (after what is already queued).</summary>
    public void Send(object message) => Server.PostInfo(message);

    /// <summary>Delivers <paramref name="message"/> to <see cref="HandleInfoAsync"/> after <paramref name="delay"/>; dispose the result to cancel.</summary>
    public IDisposable SendAfter(object message, TimeSpan delay) => Server.PostInfoAfter(message, delay);

    /// <summary>Also receive broadcasts of <paramref name="topic"/> (as <see cref="Fenix.Broadcast"/> in <see cref="HandleInfoAsync"/>) while this channel lives.</summary>
    public void Subscribe(string topic) => Server.SubscribeExtra(topic);

    public void Unsubscribe(string topic) => Server.UnsubscribeExtra(topic);

    /// <summary>The serializer settings for payloads this channel sends.</summary>
    protected JsonSerializerOptions JsonOptions => Server.JsonOptions;

    /// <summary>
    /// Routes broadcasts of these events through <see cref="HandleOutAsync"/> (encoded per subscriber)
    /// instead of the shared fast path. Call it in the constructor.
    /// </summary>
    protected void Intercept(params string[] events) => Intercepts = InterceptCache.For(GetType(), events);

    internal void Attach(ChannelServer server) => _server = server;
}

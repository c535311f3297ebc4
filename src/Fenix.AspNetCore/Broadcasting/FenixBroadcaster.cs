using System.Text.Json;
using Fenix.Protocol;

namespace Fenix.AspNetCore.Broadcasting;

internal sealed class FenixBroadcaster(PubSub.PubSub pubSub, JsonSerializerOptions jsonOptions) : IFenixBroadcaster
{
    public void Broadcast(string topic, string @event, object? payload = null) =>
        pubSub.Broadcast(topic, Create(topic, @event, payload));

    public void LocalBroadcast(string topic, string @event, object? payload = null) =>
        pubSub.LocalBroadcast(topic, Create(topic, @event, payload));

    public void Disconnect(string socketId) =>
        pubSub.Broadcast(socketId, new BroadcastMessage(new Broadcast(socketId, PhoenixEvents.Disconnect, Payload.Empty)));

    private BroadcastMessage Create(string topic, string @event, object? payload) =>
        new(new Broadcast(topic, @event, Payload.From(payload, jsonOptions).EnsureObject("A broadcast payload")));
}

using System.Text.Json;
using Fenix.AspNetCore.Diagnostics;
using Fenix.AspNetCore.History;
using Fenix.AspNetCore.Transports;
using Fenix.PubSub;

namespace Fenix.AspNetCore.Broadcasting;

internal sealed class FenixBroadcaster(FenixPubSub pubSub, JsonSerializerOptions jsonOptions, HistoryService history) : IFenixBroadcaster
{
    public void Broadcast(string topic, string @event, object? payload = null)
    {
        var message = Create(topic, @event, payload);
        FenixTelemetry.Broadcasting(topic, @event, excludeSelf: false);
        using var batch = WriterBatch.Begin();
        if (history.Find(topic) is { } rule)
        {
            history.Publish(rule, message.Broadcast, excluded: null); // it goes out once the store gave it a position
            return;
        }

        pubSub.Broadcast(topic, message);
    }

    public void LocalBroadcast(string topic, string @event, object? payload = null)
    {
        var message = Create(topic, @event, payload);
        using var batch = WriterBatch.Begin();
        pubSub.LocalBroadcast(topic, message);
    }

    public void Disconnect(string socketId) =>
        pubSub.Broadcast(socketId, new BroadcastMessage(new Broadcast(socketId, PhoenixEvents.Disconnect, Payload.Empty)));

    private BroadcastMessage Create(string topic, string @event, object? payload) =>
        new(new Broadcast(topic, @event, Payload.From(payload, jsonOptions).EnsureObject("A broadcast payload")));
}

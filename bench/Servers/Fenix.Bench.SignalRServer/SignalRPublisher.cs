using Fenix.Bench.ServerKit;
using Microsoft.AspNetCore.SignalR;

namespace Fenix.Bench.SignalRServer;

/// <summary>Publishes through <see cref="IHubContext{THub}"/>: serialized once per protocol, awaited as SignalR's API is.</summary>
internal sealed class SignalRPublisher(IHubContext<BenchHub> hub) : IBenchPublisher
{
    public ValueTask PublishAsync(string topic, BenchMessage message) =>
        new(hub.Clients.Group(topic).SendAsync("msg", message));
}
